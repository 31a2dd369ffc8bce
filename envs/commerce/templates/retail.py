"""Task templates of Retail: customers who identify themselves, then ask about or change their orders."""

from __future__ import annotations

import json
import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, pick, scenario
from envs.commerce.retail import ORDER_AGES, Retail, options_text

NEW_ADDRESSES = [("18 Birch Lane", "Portland", "OR", "97205"), ("402 Harbor Road Apt. 7", "Annapolis", "MD", "21401"),
                 ("77 Mill Street", "Burlington", "VT", "05401"), ("1250 Sunset Boulevard", "Boise", "ID", "83702"),
                 ("9 Cedar Court", "Madison", "WI", "53703"), ("3318 Elm Avenue Suite 12", "Tulsa", "OK", "74103"),
                 ("56 Lakeview Drive", "Duluth", "MN", "55802"), ("840 Willow Way", "Savannah", "GA", "31401")]


# ---------------------------------------------------------------------------------------------------- helpers
def user_row(world: Retail, user_id: str) -> dict[str, Any]:
    return world.row("SELECT * FROM users WHERE user_id = ?", user_id)


def identify(user: dict[str, Any], rng: random.Random, hide: bool = True) -> tuple[str, Any, tuple[UserFact, ...]]:
    """How the customer introduces themself, the lookup call, and what they only say when asked."""
    full = f"{user['first_name']} {user['last_name']}"
    by_email = call("find_user_by_email", email=user["email"])
    by_name = call("find_user_by_name_zip", first_name=user["first_name"], last_name=user["last_name"],
                   zip_code=user["zip_code"])
    style = rng.choice((0, 1, 0, 1, 2, 3) if hide else (0, 1))
    if style == 0:
        return f"My email is {user['email']}.", by_email, ()
    if style == 1:
        return f"I'm {full}, zip code {user['zip_code']}.", by_name, ()
    if style == 2:
        return f"This is {full}.", by_name, (UserFact("zip code", user["zip_code"], ("zip", "postal")),)
    return rng.choice(["Hi.", "Hello!"]), by_email, (UserFact("email", user["email"], ("email", "e-mail")),)


def products_phrase(names: list[str]) -> str:
    names = [f"the {n}" for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def order_phrase(world: Retail, order: dict[str, Any], rng: random.Random) -> str | None:
    """Words that single out one of a customer's orders (its date or its products), or None."""
    siblings = world.list_user_orders(user_id=order["user_id"])
    date = order["created_at"][:10]
    products = sorted(line["product_name"] for line in order["items"])
    ways = []
    if sum(o["created_at"][:10] == date for o in siblings) == 1:
        ways.append(f"my order from {date}")
    if sum(sorted(o["products"]) == products for o in siblings) == 1:
        ways.append(f"my order with {products_phrase(products)}")
    return rng.choice(ways) if ways else None


def some_order(world: Retail, rng: random.Random, status: str) -> tuple[dict[str, Any], dict[str, Any], str] | None:
    """A random order in a status, its customer and a phrase that singles it out."""
    order_ids = [r["order_id"] for r in world.rows("SELECT order_id FROM orders WHERE status = ? ORDER BY order_id",
                                                   status)]
    order = world.get_order_details(order_id=rng.choice(order_ids))
    phrase = order_phrase(world, order, rng)
    if phrase is None:
        return None
    return user_row(world, order["user_id"]), order, phrase


def order_ref(step: int, order: dict[str, Any]) -> Ref:
    """The id of an order, found in the order list of an earlier step by the order's date."""
    return Ref(step, then=pick("order_id", created_at=order["created_at"]))


def method_phrase(method: dict[str, Any]) -> str:
    if method["kind"] == "credit_card":
        return f"my {method['brand']} ending in {method['last_four']}"
    return "my PayPal account" if method["kind"] == "paypal" else "my gift card"


def method_ref(step: int, method: dict[str, Any]) -> Ref:
    """The id of a payment method, found in get_user_details' result the way the customer described it."""
    traits = {k: method[k] for k in ("kind", "brand", "last_four") if method[k] is not None}
    return Ref(step, "payment_methods", then=pick("payment_method_id", **traits))


def wallet(world: Retail, user_id: str) -> list[dict[str, Any]]:
    return world.rows("SELECT * FROM payment_methods WHERE user_id = ? ORDER BY payment_method_id", user_id)


def single_lines(order: dict[str, Any]) -> list[dict[str, Any]]:
    """Order lines whose product occurs once in the order, so naming the product names the line."""
    names = [line["product_name"] for line in order["items"]]
    return [line for line in order["items"] if names.count(line["product_name"]) == 1]


def swap_draft(world: Retail, rng: random.Random, status: str, tool_name: str, note: str) -> Draft | None:
    """Swap one item of an order for an in-stock variant of its product differing in exactly one option."""
    found = some_order(world, rng, status)
    if found is None:
        return None
    user, order, phrase = found
    line = rng.choice(single_lines(order))
    candidates = []
    for item in world.rows("SELECT * FROM items WHERE product_id = ? AND available = 1 ORDER BY item_id",
                           line["product_id"]):
        options = json.loads(item["options"])
        changed = [name for name in options if options[name] != line["options"][name]]
        if len(changed) == 1:
            candidates.append((options, changed[0]))
    if not candidates:
        return None
    options, option = rng.choice(candidates)
    method = rng.choice(wallet(world, user["user_id"]))
    intro, lookup, ask = identify(user, rng)
    request = rng.choice([
        "In {order}, I'd like to swap the {product} ({options}) for the one with {option} {value}; everything"
        " else the same. Any price difference goes on {method}.",
        "Could you change the {product} in {order} to the {option} {value} version? Currently it's"
        " {options}. Use {method} for any difference in price.",
    ]).format(order=phrase, product=line["product_name"], options=options_text(line["options"]), option=option,
              value=options[option], method=method_phrase(method))
    return Draft(
        request=f"{intro} {request} {note}",
        calls=(lookup, call("get_user_details", user_id=Ref(0, "user_id")),
               call("list_user_orders", user_id=Ref(0, "user_id"), status=status),
               call("get_order_details", order_id=order_ref(2, order)),
               call("get_product_details",
                    product_id=Ref(3, "items", then=pick("product_id", product_name=line["product_name"]))),
               call(tool_name, order_id=Ref(3, "order_id"),
                    item_ids=[Ref(3, "items", then=pick("item_id", product_name=line["product_name"]))],
                    new_item_ids=[Ref(4, "items", then=pick("item_id", options=options))],
                    payment_method_id=method_ref(1, method))),
        ask=ask)


# -------------------------------------------------------------------------------------------------- templates
@scenario
def gift_card_balance(world: Retail, rng: random.Random) -> Draft:
    card = rng.choice(world.rows("SELECT * FROM payment_methods WHERE kind = 'gift_card' ORDER BY payment_method_id"))
    intro, lookup, ask = identify(user_row(world, card["user_id"]), rng)
    return Draft(
        request=f"{intro} " + rng.choice(["How much money is left on my gift card?",
                                          "Can you tell me my gift card balance?"]),
        calls=(lookup, call("get_user_details", user_id=Ref(0, "user_id"))),
        answer=(str(card["balance"]),), ask=ask)


@scenario
def order_status(world: Retail, rng: random.Random) -> Draft | None:
    found = some_order(world, rng, rng.choice(list(ORDER_AGES)))
    if found is None:
        return None
    user, order, phrase = found
    intro, lookup, ask = identify(user, rng)
    return Draft(
        request=f"{intro} " + rng.choice(["What's the status of {o}, and what was its total?",
                                          "Where does {o} stand? Also remind me how much it cost in total."]
                                         ).format(o=phrase),
        calls=(lookup, call("list_user_orders", user_id=Ref(0, "user_id")),
               call("get_order_details", order_id=order_ref(1, order))),
        answer=(order["status"], str(order["total_amount"])), ask=ask)


@scenario
def cancel_order(world: Retail, rng: random.Random) -> Draft | None:
    found = some_order(world, rng, "pending")
    if found is None:
        return None
    user, order, phrase = found
    intro, lookup, ask = identify(user, rng)
    reason, why = rng.choice([("ordered by mistake", "I ordered it by mistake"),
                              ("no longer needed", "I don't need it anymore")])
    return Draft(
        request=f"{intro} " + rng.choice(["Please cancel {o}, {why}.", "{Why}, so cancel {o} please."]
                                         ).format(o=phrase, why=why, Why=why[0].upper() + why[1:]),
        calls=(lookup, call("list_user_orders", user_id=Ref(0, "user_id"), status="pending"),
               call("cancel_pending_order", order_id=order_ref(1, order), reason=reason)),
        ask=ask)


@scenario
def move_house(world: Retail, rng: random.Random) -> Draft:
    user_id = rng.choice([r["user_id"] for r in world.rows(
        "SELECT DISTINCT user_id FROM orders WHERE status = 'pending' ORDER BY user_id")])
    pending = world.value("SELECT COUNT(*) FROM orders WHERE user_id = ? AND status = 'pending'", user_id)
    intro, lookup, ask = identify(user_row(world, user_id), rng)
    street, city, state, zip_code = rng.choice(NEW_ADDRESSES)
    address = {"address": street, "city": city, "state": state, "country": "USA", "zip_code": zip_code}
    return Draft(
        request=f"{intro} " + rng.choice([
            "I just moved to {a}, {c}, {s} {z}. Please update my account, and make sure every order of mine"
            " that hasn't shipped yet goes to the new place.",
            "New address: {a}, {c}, {s} {z}, USA. Update it on my profile and on my pending orders, please.",
        ]).format(a=street, c=city, s=state, z=zip_code),
        calls=(lookup, call("modify_user_address", user_id=Ref(0, "user_id"), **address),
               call("list_user_orders", user_id=Ref(0, "user_id"), status="pending"),
               *(call("modify_pending_order_address", order_id=Ref(2, f"{n}.order_id"), **address)
                 for n in range(pending))),
        ask=ask)


@scenario
def redirect_order(world: Retail, rng: random.Random) -> Draft | None:
    found = some_order(world, rng, "pending")
    if found is None:
        return None
    user, order, phrase = found
    intro, lookup, _ = identify(user, rng, hide=False)
    street, city, state, zip_code = rng.choice(NEW_ADDRESSES)
    return Draft(
        request=f"{intro} " + rng.choice(["I need {o} shipped to a different address.",
                                          "Can {o} go to another address? I won't be home."]).format(o=phrase),
        calls=(lookup, call("list_user_orders", user_id=Ref(0, "user_id"), status="pending"),
               call("modify_pending_order_address", order_id=order_ref(1, order), address=street,
                    city=city, state=state, country="USA", zip_code=zip_code)),
        ask=(UserFact("new shipping address", f"{street}, {city}, {state} {zip_code}, USA", ("address", "where")),))


@scenario
def return_items(world: Retail, rng: random.Random) -> Draft | None:
    found = some_order(world, rng, "delivered")
    if found is None:
        return None
    user, order, phrase = found
    lines = single_lines(order)
    names = [x["product_name"] for x in rng.sample(lines, min(len(lines), rng.randint(1, 2)))]
    gift_card = next((m for m in wallet(world, user["user_id"]) if m["kind"] == "gift_card"), None)
    to_gift_card = gift_card is not None and rng.random() < 0.5
    products, it = products_phrase(names), "it" if len(names) == 1 else "them"
    intro, lookup, ask = identify(user, rng)
    lookups = (lookup, call("get_user_details", user_id=Ref(0, "user_id"))) if to_gift_card else (lookup,)
    listing = len(lookups)
    return Draft(
        request=f"{intro} " + rng.choice(["I'd like to return {p} from {o}. Refund {it} {w}, please.",
                                          "{P} from {o} didn't work out for me. I want to send {it} back;"
                                          " the refund should go {w}."]).format(
            p=products, o=phrase, it=it, P=products[0].upper() + products[1:],
            w="to my gift card" if to_gift_card else "to the card or account I paid with"),
        calls=(*lookups, call("list_user_orders", user_id=Ref(0, "user_id"), status="delivered"),
               call("get_order_details", order_id=order_ref(listing, order)),
               call("return_delivered_order_items", order_id=Ref(listing + 1, "order_id"),
                    item_ids=[Ref(listing + 1, "items", then=pick("item_id", product_name=n)) for n in names],
                    payment_method_id=method_ref(1, gift_card) if to_gift_card
                    else Ref(listing + 1, "payment_method_id"))),
        ask=ask)


@scenario
def exchange_item(world: Retail, rng: random.Random) -> Draft | None:
    return swap_draft(world, rng, "delivered", "exchange_delivered_order_items", "The order was delivered already.")


@scenario
def change_pending_item(world: Retail, rng: random.Random) -> Draft | None:
    return swap_draft(world, rng, "pending", "modify_pending_order_items", "It hasn't shipped yet.")


@scenario
def switch_payment(world: Retail, rng: random.Random) -> Draft | None:
    found = some_order(world, rng, "pending")
    if found is None:
        return None
    user, order, phrase = found
    others = [m for m in wallet(world, user["user_id"]) if m["payment_method_id"] != order["payment_method_id"]
              and (m["kind"] != "gift_card" or m["balance"] >= order["total_amount"])]
    if not others:
        return None
    method = rng.choice(others)
    intro, lookup, ask = identify(user, rng)
    return Draft(
        request=f"{intro} " + rng.choice(["Please pay for {o} with {m} instead.",
                                          "I'd rather have {o} charged to {m}. Can you switch it?"]
                                         ).format(o=phrase, m=method_phrase(method)),
        calls=(lookup, call("get_user_details", user_id=Ref(0, "user_id")),
               call("list_user_orders", user_id=Ref(0, "user_id"), status="pending"),
               call("modify_pending_order_payment", order_id=order_ref(2, order),
                    payment_method_id=method_ref(1, method))),
        ask=ask)


@scenario
def cheapest_variant(world: Retail, rng: random.Random) -> Draft | None:
    product = rng.choice(world.rows("SELECT * FROM products ORDER BY product_id"))
    prices = world.rows("SELECT * FROM items WHERE product_id = ? AND available = 1 ORDER BY price",
                        product["product_id"])
    if len(prices) < 2 or prices[0]["price"] == prices[1]["price"]:
        return None
    cheapest = json.loads(prices[0]["options"])
    return Draft(
        request=rng.choice(["What's the cheapest {p} you have in stock right now? Which options, and what price?",
                            "I'm on a budget. Which in-stock {p} variant costs the least, and how much is"
                            " it?"]).format(p=product["name"]),
        calls=(call("list_product_types"),
               call("get_product_details", product_id=Ref(0, then=pick("product_id", name=product["name"])))),
        answer=(str(prices[0]["price"]), *(v for v in cheapest.values() if len(v) > 2)))
