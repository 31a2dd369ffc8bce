"""Behaviour of the TravelBooking environment: sessions, charges and refunds, budgets, insurance, errors, rewards."""

from __future__ import annotations

from typing import Any

import pytest

from envfactory_gym.core.tools import ToolError
from envfactory_gym.registration import world_set
from envs.travel.travel_booking import luhn_complete
from tests.envs.support import gold_calls, play, scenario_task

ENV = "TravelBooking"


def login(world: Any, account: dict[str, Any], grant_type: str = "read_write") -> str:
    return world.call("authenticate", {"client_id": account["client_id"], "client_secret": account["client_secret"],
                                       "grant_type": grant_type, "first_name": account["first_name"],
                                       "last_name": account["last_name"]})["access_token"]


def account_with_budget_room(world: Any) -> dict[str, Any]:
    """An account without a budget limit whose first card is valid and holds at least 1000 USD."""
    return world.row("SELECT a.*, c.card_id, c.balance FROM accounts a JOIN credit_cards c USING (account_id)"
                     " WHERE a.budget_limit IS NULL AND c.expiration_date != '11/25' AND c.balance >= 1000"
                     " ORDER BY a.account_id, c.card_id")


def cheap_fare(world: Any) -> dict[str, Any]:
    """An economy fare under 900 USD with seats, on a flight nobody has booked yet."""
    return world.row("SELECT * FROM fares JOIN flights USING (flight_id) WHERE travel_class = 'economy'"
                     " AND seats_left > 0 AND price < 900 AND flight_id NOT IN (SELECT flight_id FROM bookings)"
                     " ORDER BY flight_id")


def book(world: Any, token: str, card_id: str, fare: dict[str, Any]) -> dict[str, Any]:
    return world.call("book_flight", {"access_token": token, "card_id": card_id, "flight_id": fare["flight_id"],
                                      "travel_class": fare["travel_class"]})


def test_authenticate_reuses_the_session_and_widens_its_scope(world: Any) -> None:
    account = world.row("SELECT * FROM accounts ORDER BY account_id")
    token = login(world, account, "read")
    assert world.call("check_login_status", {"access_token": token})["scope"] == "read"
    assert login(world, account, "write") == token
    assert world.rows("SELECT access_token, scope FROM sessions") == [{"access_token": token, "scope": "read_write"}]
    assert world.call("check_login_status", {}) == {
        "is_logged_in": True, "logged_in_travellers": [{"first_name": account["first_name"],
                                                        "last_name": account["last_name"]}]}


def test_authenticate_rejects_bad_credentials_without_a_session(env: Any, world: Any) -> None:
    account = world.row("SELECT * FROM accounts ORDER BY account_id")
    before = env.state_digest()
    with pytest.raises(ToolError, match="^invalid client credentials: check the client id and client secret$"):
        world.call("authenticate", {"client_id": account["client_id"], "client_secret": "wrong", "grant_type": "read",
                                    "first_name": account["first_name"], "last_name": account["last_name"]})
    with pytest.raises(ToolError, match="^the name does not match the account of this client id$"):
        world.call("authenticate", {"client_id": account["client_id"], "client_secret": account["client_secret"],
                                    "grant_type": "read", "first_name": "Someone", "last_name": "Else"})
    assert env.state_digest() == before
    with pytest.raises(ToolError, match="^invalid or expired access token; call authenticate to get one$"):
        world.call("list_bookings", {"access_token": "tok_forged"})


def test_read_token_cannot_book(world: Any) -> None:
    account = account_with_budget_room(world)
    token = login(world, account, "read")
    with pytest.raises(ToolError) as error:
        book(world, token, account["card_id"], cheap_fare(world))
    assert str(error.value) == ("this access token does not grant write access; call authenticate again with "
                                "grant_type 'read_write'")


def test_book_flight_charges_the_card_and_takes_a_seat(world: Any) -> None:
    account, fare = account_with_budget_room(world), cheap_fare(world)
    token = login(world, account)
    booked = book(world, token, account["card_id"], fare)
    assert (booked["cost"], booked["booking_status"], booked["traveler"]) == (
        fare["price"], "confirmed", f"{account['first_name']} {account['last_name']}")
    assert world.value("SELECT balance FROM credit_cards WHERE card_id = ?", account["card_id"]) == round(
        account["balance"] - fare["price"], 2)
    assert world.value("SELECT seats_left FROM fares WHERE flight_id = ? AND travel_class = 'economy'",
                       fare["flight_id"]) == fare["seats_left"] - 1
    invoice = world.call("get_booking_invoice", {"access_token": token, "booking_id": booked["booking_id"]})
    assert (invoice["invoice_number"], invoice["payment_status"], invoice["transaction_id"]) == (
        booked["invoice_number"], "paid", booked["transaction_id"])
    with pytest.raises(ToolError) as twice:
        book(world, token, account["card_id"], fare)
    assert str(twice.value) == (f"{account['first_name']} {account['last_name']} already has a confirmed seat on "
                                f"flight {fare['flight_number']}")


def test_insufficient_balance_and_budget_limit_refuse_atomically(env: Any, world: Any) -> None:
    account, fare = account_with_budget_room(world), cheap_fare(world)
    token = login(world, account)
    spent = world.call("get_budget_info", {"access_token": token})["total_spent"]
    limit = round(spent + fare["price"] - 0.01, 2)
    world.call("set_budget_limit", {"access_token": token, "budget_limit": limit})
    assert world.call("get_budget_info", {"access_token": token})["remaining_budget"] == round(limit - spent, 2)
    snapshot = env.state_digest()
    with pytest.raises(ToolError) as over:
        book(world, token, account["card_id"], fare)
    assert str(over.value) == (f"this charge of {fare['price']:.2f} USD would exceed the budget limit of "
                               f"{limit:.2f} USD ({limit - spent:.2f} USD left); "
                               "raise the limit with set_budget_limit or spend less")
    assert env.state_digest() == snapshot
    dear = world.row("SELECT * FROM fares JOIN flights USING (flight_id) WHERE price > ? AND seats_left > 0"
                     " ORDER BY price", account["balance"])
    world.call("set_budget_limit", {"access_token": token, "budget_limit": 1e6})
    snapshot = env.state_digest()
    with pytest.raises(ToolError, match="^insufficient balance on card ending in"):
        book(world, token, account["card_id"], dear)
    assert env.state_digest() == snapshot


def test_cancel_refunds_economy_minus_fee_and_frees_the_seat(world: Any) -> None:
    account, fare = account_with_budget_room(world), cheap_fare(world)
    token = login(world, account)
    booked = book(world, token, account["card_id"], fare)
    cancelled = world.call("cancel_booking", {"access_token": token, "booking_id": booked["booking_id"]})
    assert cancelled["refund_amount"] == round(fare["price"] * 0.9, 2)
    assert world.value("SELECT balance FROM credit_cards WHERE card_id = ?", account["card_id"]) == round(
        account["balance"] - fare["price"] + cancelled["refund_amount"], 2)
    assert world.value("SELECT payment_status FROM invoices WHERE booking_id = ?", booked["booking_id"]) == "refunded"
    assert world.value("SELECT seats_left FROM fares WHERE flight_id = ? AND travel_class = 'economy'",
                       fare["flight_id"]) == fare["seats_left"]
    with pytest.raises(ToolError, match=f"^booking '{booked['booking_id']}' is cancelled, not confirmed$"):
        world.call("cancel_booking", {"access_token": token, "booking_id": booked["booking_id"]})


def test_comprehensive_insurance_makes_cancellation_free(world: Any) -> None:
    account, fare = account_with_budget_room(world), cheap_fare(world)
    token = login(world, account)
    booked = book(world, token, account["card_id"], fare)
    quote = world.call("get_insurance_quote", {"access_token": token, "booking_id": booked["booking_id"],
                                               "insurance_type": "comprehensive"})
    assert quote["insurance_cost"] == round(fare["price"] * 0.11, 2)
    bought = world.call("purchase_insurance", {"access_token": token, "booking_id": booked["booking_id"],
                                               "insurance_type": "comprehensive", "card_id": account["card_id"]})
    assert (bought["insurance_status"], bought["insurance_cost"]) == ("active", quote["insurance_cost"])
    with pytest.raises(ToolError, match=f"^booking '{booked['booking_id']}' already has comprehensive insurance$"):
        world.call("purchase_insurance", {"access_token": token, "booking_id": booked["booking_id"],
                                          "insurance_type": "basic", "card_id": account["card_id"]})
    cancelled = world.call("cancel_booking", {"access_token": token, "booking_id": booked["booking_id"]})
    assert cancelled["refund_amount"] == fare["price"]
    assert world.value("SELECT status FROM insurance_policies WHERE booking_id = ?", booked["booking_id"]) == "void"
    spent = world.call("get_budget_info", {"access_token": token})["total_spent"]
    assert spent == round(world.value(
        "SELECT SUM(CASE kind WHEN 'refund' THEN -amount ELSE amount END) FROM transactions JOIN credit_cards"
        " USING (card_id) WHERE account_id = ?", account["account_id"]), 2)


def test_register_credit_card_validates_and_never_stores_the_cvv(env: Any, world: Any) -> None:
    account = world.row("SELECT * FROM accounts ORDER BY account_id")
    token = login(world, account)
    before = env.state_digest()
    with pytest.raises(ToolError, match="^card_number is not a valid 16-digit card number$"):
        world.call("register_credit_card", {"access_token": token, "card_number": "4111 1111 1111 1112",
                                            "expiration_date": "08/29", "cardholder_name": "A B", "cvv": 123})
    number = luhn_complete("411111111111111")
    with pytest.raises(ToolError, match="^the card expired on 01/26$"):
        world.call("register_credit_card", {"access_token": token, "card_number": number,
                                            "expiration_date": "01/26", "cardholder_name": "A B", "cvv": 123})
    assert env.state_digest() == before
    card = world.call("register_credit_card", {"access_token": token, "card_number": number,
                                               "expiration_date": "08/29", "cardholder_name": "A B", "cvv": 123})
    assert (card["card_number"], card["brand"], card["balance"]) == ("**** **** **** 1111", "Visa", 5000.0)
    row = world.row("SELECT * FROM credit_cards WHERE card_id = ?", card["card_id"])
    assert "123" not in [str(v) for v in row.values()]
    with pytest.raises(ToolError, match="^the card ending in 1111 is already registered$"):
        world.call("register_credit_card", {"access_token": token, "card_number": number,
                                            "expiration_date": "08/29", "cardholder_name": "A B", "cvv": 123})


def test_someone_elses_booking_and_card_are_invisible(world: Any) -> None:
    booking = world.row("SELECT * FROM bookings ORDER BY booking_id")
    stranger = world.row("SELECT * FROM accounts WHERE account_id != ? ORDER BY account_id", booking["account_id"])
    token = login(world, stranger)
    with pytest.raises(ToolError) as error:
        world.call("cancel_booking", {"access_token": token, "booking_id": booking["booking_id"]})
    assert str(error.value) == (f"no booking '{booking['booking_id']}' on this account; list_bookings shows the "
                                "booking ids")
    with pytest.raises(ToolError, match=f"^no credit card '{booking['card_id']}' on this account"):
        world.call("get_credit_card_balance", {"access_token": token, "card_id": booking["card_id"]})


def test_search_convert_and_support(world: Any) -> None:
    with pytest.raises(ToolError, match="^unknown airport code 'XXX'; get_airport_by_city or list_airports give"):
        world.call("search_flights", {"departure_airport": "XXX", "arrival_airport": "CDG",
                                      "travel_date": "2026-03-05"})
    assert world.call("get_airport_by_city", {"city_name": "paris"})["airport_code"] == "CDG"
    rates = dict(world.conn.execute("SELECT currency, units_per_usd FROM exchange_rates"))
    converted = world.call("convert_currency", {"amount": 100, "from_currency": "USD", "to_currency": "EUR"})
    assert converted["converted_amount"] == round(100 * rates["EUR"], 2)
    with pytest.raises(ToolError) as negative:
        world.call("convert_currency", {"amount": -5, "from_currency": "USD", "to_currency": "EUR"})
    assert str(negative.value) == "invalid arguments for 'convert_currency': amount: Input should be greater than 0"
    booking = world.row("SELECT * FROM bookings ORDER BY booking_id")
    token = login(world, world.row("SELECT * FROM accounts WHERE account_id = ?", booking["account_id"]))
    ticket = world.call("contact_support", {"access_token": token, "category": "baggage", "message": "Two bags?",
                                            "booking_id": booking["booking_id"]})
    row = world.row("SELECT * FROM support_tickets WHERE ticket_id = ?", ticket["support_ticket_id"])
    assert (row["category"], row["booking_id"], row["status"]) == ("baggage", booking["booking_id"], "open")


def test_gold_path_earns_one_and_cancelling_another_booking_earns_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "cancel_flight")
    gold = gold_calls(task)
    answer = "Refund: " + "; ".join(task.answer_facts)
    assert play(env, task.id, gold, answer) == 1.0
    target = gold[-1][1]["booking_id"]
    account = world.value("SELECT account_id FROM bookings WHERE booking_id = ?", target)
    other = world.value("SELECT booking_id FROM bookings WHERE account_id = ? AND booking_id != ? AND"
                        " status = 'confirmed'", account, target)
    env.reset(options={"task_id": task.id})
    token = world.call("authenticate", gold[0][1])["access_token"]
    wrong = [gold[0], ("cancel_booking", {"access_token": token, "booking_id": other or "bk_missing"})]
    assert play(env, task.id, wrong, answer) == 0.0
    assert play(env, task.id, gold, "Done, the refund is on its way.") == 0.0


def test_declared_limits_show_in_the_schema_and_are_enforced_before_the_body(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    assert tools["search_flights"][1].parameters["properties"]["max_results"]["maximum"] == 50
    card = tools["register_credit_card"][1]
    assert (card.parameters["properties"]["cvv"]["maximum"], sorted(card.user_known)) == (999, ["card_number"])
    assert sorted(tools["authenticate"][1].user_known) == ["client_id", "client_secret", "first_name", "last_name"]
    with pytest.raises(ToolError) as bounds:
        world.call("search_flights", {"departure_airport": "JFK", "arrival_airport": "CDG",
                                      "travel_date": "2026-03-05", "max_results": 51})
    assert str(bounds.value) == "invalid arguments for 'search_flights': max_results must be between 1 and 50"
    account, fare = account_with_budget_room(world), cheap_fare(world)
    token = login(world, account)
    before = env.state_digest()
    with pytest.raises(ToolError) as blank:
        world.call("book_flight", {"access_token": token, "card_id": account["card_id"],
                                   "flight_id": fare["flight_id"], "travel_class": "economy",
                                   "traveler_first_name": "  "})
    assert str(blank.value) == "invalid arguments for 'book_flight': traveler_first_name must not be empty"
    with pytest.raises(ToolError) as card_errors:
        world.call("register_credit_card", {"access_token": token, "card_number": luhn_complete("411111111111111"),
                                            "expiration_date": "13/29", "cardholder_name": "A B", "cvv": 1000})
    assert str(card_errors.value) == (
        "invalid arguments for 'register_credit_card': expiration_date: String should match pattern "
        "'^(0[1-9]|1[0-2])/[0-9]{2}$'; cvv must be between 0 and 999")
    with pytest.raises(ToolError) as budget:
        world.call("set_budget_limit", {"access_token": token, "budget_limit": 0})
    assert str(budget.value) == "invalid arguments for 'set_budget_limit': budget_limit: Input should be greater than 0"
    assert env.state_digest() == before
