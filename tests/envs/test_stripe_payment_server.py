"""Behaviour of the StripePaymentServer environment: payment lifecycle, refunds, exact errors, atomicity, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "StripePaymentServer"


def usable_card(world: Any) -> dict[str, Any]:
    """A card that has not expired (seed 0 is built on 2026-03-02)."""
    return world.row("SELECT * FROM payment_methods WHERE exp_year > 2026 ORDER BY id")


def open_intent(world: Any, status: str = "requires_confirmation") -> dict[str, Any]:
    return world.row("SELECT * FROM payment_intents WHERE status = ? ORDER BY id", status)


def test_create_customer_and_find_them(env: Any, world: Any) -> None:
    created = world.call("create_customer", {"email": " Ada.Novak@Example.org ", "name": "Ada Novak"})
    assert world.row("SELECT email, name, phone, default_payment_method FROM customers WHERE id = ?",
                     created["id"]) == {"email": "ada.novak@example.org", "name": "Ada Novak", "phone": None,
                                        "default_payment_method": None}
    assert world.call("list_customers", {"email": "ADA.NOVAK@example.org"})["data"] == [created]
    assert world.call("search_customers", {"query": "novak"})["data"] == [created]
    assert fails(env, world, "create_customer", {"email": "ada.novak@example.org"}) == (
        f"customer '{created['id']}' already has the email 'ada.novak@example.org'; use update_customer on it")
    assert fails(env, world, "create_customer", {"email": "ada at example"}) == (
        "invalid arguments for 'create_customer': email: String should match pattern"
        r" '^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$'")


def test_listings_page_and_treat_wildcards_literally(env: Any, world: Any) -> None:
    page = world.call("list_customers", {"limit": 3})
    assert (len(page["data"]), page["has_more"]) == (3, True)
    assert world.call("search_customers", {"query": "%"})["data"] == []
    assert world.call("search_customers", {"query": "_"})["data"] == []
    assert fails(env, world, "list_customers", {"limit": 101}) == (
        "invalid arguments for 'list_customers': limit must be between 1 and 100")
    assert fails(env, world, "search_customers", {"query": "  "}) == (
        "invalid arguments for 'search_customers': query must not be empty")


def test_declared_limits_show_in_the_schema() -> None:
    tools = world_set(ENV)(0).tools
    for name in ("list_customers", "list_payment_intents", "list_charges", "list_refunds"):
        limit = tools[name][1].parameters["properties"]["limit"]
        assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 100, 10)
    created = tools["create_payment_intent"][1].parameters["properties"]
    assert created["currency"]["enum"] == ["usd", "eur", "gbp", "cad"]
    assert (created["amount"]["minimum"], created["amount"]["maximum"]) == (1, 99_999_999)
    assert tools["create_refund"][1].parameters["properties"]["amount"]["minimum"] == 1
    assert all(spec.output_schema is not None for _, spec in tools.values())


def test_listed_payment_intents_match_retrieved_ones(world: Any) -> None:
    listed = world.call("list_payment_intents", {"status": "succeeded", "limit": 100})["data"]
    assert listed and all(i["latest_charge"] for i in listed)
    assert listed[0] == world.call("retrieve_payment_intent", {"payment_intent_id": listed[0]["id"]})


def test_payment_intent_status_follows_the_card(world: Any) -> None:
    card = usable_card(world)
    without = world.call("create_payment_intent", {"amount": 2500, "currency": "USD", "customer_id": card["customer"]})
    assert (without["status"], without["currency"], without["latest_charge"]) == (
        "requires_payment_method", "usd", None)
    with_card = world.call("create_payment_intent", {"amount": 2500, "currency": "eur",
                                                     "customer_id": card["customer"], "payment_method_id": card["id"]})
    assert with_card["status"] == "requires_confirmation"
    paid = world.call("create_payment_intent", {"amount": 2500, "currency": "eur", "customer_id": card["customer"],
                                                "payment_method_id": card["id"], "confirm": True})
    assert paid["status"] == "succeeded"
    assert world.row("SELECT amount, currency, customer, payment_method FROM charges WHERE id = ?",
                     paid["latest_charge"]) == {"amount": 2500, "currency": "eur", "customer": card["customer"],
                                                "payment_method": card["id"]}


def test_create_payment_intent_rejects_bad_input(env: Any, world: Any) -> None:
    card = usable_card(world)
    other = world.value("SELECT id FROM customers WHERE id != ? ORDER BY id", card["customer"])
    assert fails(env, world, "create_payment_intent", {"amount": 20, "currency": "gbp"}) == (
        "amount must be an integer in the currency's minor unit (cents) between 30 and 99999999 for gbp, got 20")
    assert fails(env, world, "create_payment_intent", {"amount": 2000, "currency": "yen"}) == (
        "invalid arguments for 'create_payment_intent': currency: Input should be 'usd', 'eur', 'gbp' or 'cad'")
    assert fails(env, world, "create_payment_intent", {"amount": 0, "currency": "usd"}) == (
        "invalid arguments for 'create_payment_intent': amount must be between 1 and 99999999")
    assert fails(env, world, "create_payment_intent", {"amount": 2000, "currency": "usd", "customer_id": other,
                                                       "payment_method_id": card["id"]}) == (
        f"payment method '{card['id']}' belongs to customer '{card['customer']}', not to the payment's customer"
        f" ('{other}'); pass a card of that customer")
    assert fails(env, world, "create_payment_intent", {"amount": 2000, "currency": "usd", "confirm": True}) == (
        "confirm=true needs a payment_method_id")
    assert fails(env, world, "create_payment_intent", {"amount": 2000, "currency": "usd", "customer_id": "cus_x"}) == (
        "No such customer: 'cus_x'; list_customers or search_customers finds ids")


def test_confirm_charges_once_and_declines_expired_cards(env: Any, world: Any) -> None:
    intent = open_intent(world)
    confirmed = world.call("confirm_payment_intent", {"payment_intent_id": intent["id"]})
    assert confirmed["status"] == "succeeded"
    assert world.row("SELECT amount, amount_refunded, description FROM charges WHERE payment_intent = ?",
                     intent["id"]) == {"amount": intent["amount"], "amount_refunded": 0,
                                       "description": intent["description"]}
    assert fails(env, world, "confirm_payment_intent", {"payment_intent_id": intent["id"]}) == (
        f"payment intent '{intent['id']}' has status succeeded; only payments in requires_payment_method or"
        " requires_confirmation can be confirmed")
    stale = world.row("SELECT * FROM payment_methods WHERE exp_year < 2026 ORDER BY id")
    unpaid = world.call("create_payment_intent", {"amount": 900, "currency": "usd", "customer_id": stale["customer"]})
    assert fails(env, world, "confirm_payment_intent", {"payment_intent_id": unpaid["id"]}) == (
        f"payment intent '{unpaid['id']}' has no payment method; pass payment_method_id")
    brand = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express", "discover": "Discover"}
    assert fails(env, world, "confirm_payment_intent", {"payment_intent_id": unpaid["id"],
                                                        "payment_method_id": stale["id"]}) == (
        f"card_declined (expired_card): the {brand[stale['brand']]} ending in {stale['last4']} expired"
        f" {stale['exp_month']:02d}/{stale['exp_year']}; the payment was not made, confirm it with another card")


def test_cancel_only_unpaid_payments(env: Any, world: Any) -> None:
    intent = open_intent(world, "requires_payment_method")
    canceled = world.call("cancel_payment_intent", {"payment_intent_id": intent["id"],
                                                    "cancellation_reason": "abandoned"})
    assert (canceled["status"], canceled["cancellation_reason"]) == ("canceled", "abandoned")
    assert canceled["canceled_at"] is not None
    paid = open_intent(world, "succeeded")
    assert fails(env, world, "cancel_payment_intent", {"payment_intent_id": paid["id"]}) == (
        f"payment intent '{paid['id']}' has status succeeded; only payments in requires_payment_method or"
        " requires_confirmation can be canceled; refund it with create_refund instead")


def test_refunds_never_exceed_what_was_captured(env: Any, world: Any) -> None:
    charge = world.row("SELECT * FROM charges WHERE amount_refunded = 0 ORDER BY id")
    partial = world.call("create_refund", {"payment_intent_id": charge["payment_intent"], "amount": 100,
                                           "reason": "requested_by_customer"})
    assert (partial["amount"], partial["charge"], partial["currency"]) == (100, charge["id"], charge["currency"])
    left = charge["amount"] - 100
    assert fails(env, world, "create_refund", {"charge_id": charge["id"], "amount": left + 1}) == (
        f"refund amount must be between 1 and {left}, the part of charge '{charge['id']}' ({charge['amount']}"
        f" {charge['currency']}) not refunded yet; got {left + 1}")
    rest = world.call("create_refund", {"charge_id": charge["id"], "reason": "duplicate"})
    assert rest["amount"] == left
    listed = world.call("list_charges", {"payment_intent_id": charge["payment_intent"]})["data"][0]
    assert (listed["amount_refunded"], listed["refunded"]) == (charge["amount"], True)
    assert [r["amount"] for r in world.call("list_refunds", {"charge_id": charge["id"]})["data"]] == [left, 100]
    assert fails(env, world, "create_refund", {"charge_id": charge["id"]}) == (
        f"charge '{charge['id']}' has already been refunded in full")


def test_refund_needs_one_succeeded_payment(env: Any, world: Any) -> None:
    intent = open_intent(world)
    assert fails(env, world, "create_refund", {"payment_intent_id": intent["id"]}) == (
        f"payment intent '{intent['id']}' has status requires_confirmation; only succeeded payments can be refunded"
        " (cancel an unpaid one with cancel_payment_intent)")
    assert fails(env, world, "create_refund", {}) == "give exactly one of payment_intent_id or charge_id"


def test_update_customer_default_card_must_be_theirs(env: Any, world: Any) -> None:
    card = usable_card(world)
    other = world.value("SELECT id FROM customers WHERE id != ? ORDER BY id", card["customer"])
    assert fails(env, world, "update_customer", {"customer_id": other, "default_payment_method": card["id"]}) == (
        f"payment method '{card['id']}' belongs to customer '{card['customer']}', not to the payment's customer"
        f" ('{other}'); pass a card of that customer")
    before = world.row("SELECT * FROM customers WHERE id = ?", card["customer"])
    updated = world.call("update_customer", {"customer_id": card["customer"], "phone": "+1 415-555-0100",
                                             "default_payment_method": card["id"]})
    assert (updated["phone"], updated["default_payment_method"]) == ("+1 415-555-0100", card["id"])
    assert (updated["email"], updated["name"]) == (before["email"], before["name"])


def test_create_price_rules(env: Any, world: Any) -> None:
    archived = world.row("SELECT * FROM products WHERE active = 0 ORDER BY id")
    assert fails(env, world, "create_price", {"product_id": archived["id"], "unit_amount": 900,
                                              "currency": "usd"}) == (
        f"product '{archived['name']}' is archived; prices can only be added to active products")
    price = world.row("SELECT p.* FROM prices p JOIN products pr ON pr.id = p.product WHERE pr.active = 1"
                      " ORDER BY p.id")
    assert fails(env, world, "create_price", {"product_id": price["product"], "unit_amount": price["unit_amount"],
                                              "currency": price["currency"],
                                              "interval": price["recurring_interval"]}).endswith(
        f"already has this price ('{price['id']}')")
    created = world.call("create_price", {"product_id": price["product"], "unit_amount": 123456, "currency": "CAD",
                                          "interval": "year"})
    assert (created["currency"], created["recurring_interval"], created["active"]) == ("cad", "year", 1)
    assert created in world.call("list_prices", {"product_id": price["product"], "currency": "cad"})["data"]


def test_any_valid_path_earns_one_and_a_wrong_card_earns_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "charge_saved_card", lambda t: not t.user_facts)
    gold = gold_calls(task)
    assert play(env, task.id, gold) == 1.0
    created = gold[2][1]
    assert play(env, task.id, [*gold[:2], ("create_payment_intent", {**created, "confirm": True})]) == 1.0
    assert play(env, task.id, gold[:3]) == 0.0  # created but never confirmed
    other = world.value("SELECT id FROM payment_methods WHERE customer = ? AND id != ? AND exp_year > 2026",
                        created["customer_id"], created["payment_method_id"])
    if other is None:
        other_customer = world.row("SELECT * FROM payment_methods WHERE customer != ? AND exp_year > 2026 ORDER BY id",
                                   created["customer_id"])
        wrong = {**created, "customer_id": other_customer["customer"], "payment_method_id": other_customer["id"]}
    else:
        wrong = {**created, "payment_method_id": other}
    assert play(env, task.id, [("create_payment_intent", {**wrong, "confirm": True})]) == 0.0


def test_refund_of_the_wrong_amount_earns_zero(env: Any) -> None:
    task = scenario_task(env, "partial_refund")
    gold = gold_calls(task)
    assert play(env, task.id, gold) == 1.0
    refund = gold[-1][1]
    assert play(env, task.id, [*gold[:-1], ("create_refund", {**refund, "amount": refund["amount"] + 100})]) == 0.0
    # the request states no reason, so a reason the agent adds is not graded (an unconstrained field)
    assert play(env, task.id, [*gold[:-1], ("create_refund", {**refund, "reason": "duplicate"})]) == 1.0


def test_read_task_needs_the_answer_facts(env: Any) -> None:
    task = scenario_task(env, "payment_card")
    gold = gold_calls(task)
    assert play(env, task.id, gold, answer="It is " + "; ".join(task.answer_facts)) == 1.0
    assert play(env, task.id, gold, answer="The payment looks fine.") == 0.0
