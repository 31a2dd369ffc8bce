"""Task templates of MongoDBServer: what a developer or shop owner asks of the shop, blog and analytics databases."""

from __future__ import annotations

import json
import random
from typing import Any

from envfactory_gym.core.tasks import Draft, UserFact, call, scenario
from envs.utilities.mongo_db_server import MongoDBServer

World = MongoDBServer


def docs(world: World, database: str, collection: str) -> list[dict[str, Any]]:
    return [{"_id": r["_id"], **json.loads(r["body"])} for r in world.rows(
        "SELECT _id, body FROM documents WHERE database = ? AND collection = ? ORDER BY rowid", database, collection)]


def unique_by(rows: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    return [r for r in rows if sum(1 for o in rows if o.get(field) == r.get(field)) == 1]


@scenario
def orders_in_status(world: World, rng: random.Random) -> Draft:
    status = rng.choice(["pending", "paid", "shipped", "cancelled"])
    wanted = sum(1 for o in docs(world, "shop", "orders") if o["status"] == status)
    return Draft(
        request=rng.choice(["How many orders in the shop database are {s} right now?",
                            "Quick count for me: how many {s} orders do we have in shop?"]).format(s=status),
        calls=(call("aggregate", database="shop", collection="orders",
                    pipeline=[{"$group": {"_id": "$status", "orders": {"$sum": 1}}}]),),
        answer=(str(wanted),))


@scenario
def best_seller(world: World, rng: random.Random) -> Draft | None:
    units: dict[str, int] = {}
    for order in docs(world, "shop", "orders"):
        if order["status"] != "cancelled":
            for item in order["items"]:
                units[item["sku"]] = units.get(item["sku"], 0) + item["qty"]
    ranked = sorted(units.items(), key=lambda kv: -kv[1])
    if ranked[0][1] == ranked[1][1]:
        return None
    sku = ranked[0][0]
    name = next(p["name"] for p in docs(world, "shop", "products") if p["sku"] == sku)
    return Draft(
        request="Which product has sold the most units across all orders that weren't cancelled? Give me its "
                "name and the number of units.",
        calls=(call("aggregate", database="shop", collection="orders", pipeline=[
            {"$match": {"status": {"$ne": "cancelled"}}}, {"$unwind": "$items"},
            {"$group": {"_id": "$items.sku", "units": {"$sum": "$items.qty"}}}, {"$sort": {"units": -1}},
            {"$limit": 5}]),
               call("find", database="shop", collection="products", filter={"sku": sku})),
        answer=(name, str(ranked[0][1])))


@scenario
def latest_order_of_customer(world: World, rng: random.Random) -> Draft | None:
    orders = docs(world, "shop", "orders")
    customers = [c for c in unique_by(docs(world, "shop", "customers"), "name")
                 if sum(o["customer"]["email"] == c["email"] for o in orders) >= 2]
    customer = rng.choice(customers)
    mine = sorted((o for o in orders if o["customer"]["email"] == customer["email"]), key=lambda o: o["created_at"])
    if mine[-1]["created_at"] == mine[-2]["created_at"]:
        return None
    return Draft(
        request=f"What's the order number and status of {customer['name']}'s most recent order?",
        calls=(call("find", database="shop", collection="customers", filter={"name": customer["name"]}),
               call("find", database="shop", collection="orders", filter={"customer.email": customer["email"]},
                    sort={"created_at": -1})),
        answer=(str(mine[-1]["order_number"]), mine[-1]["status"]))


@scenario
def restock(world: World, rng: random.Random) -> Draft:
    product = rng.choice(unique_by(docs(world, "shop", "products"), "name"))
    units = rng.choice([10, 20, 25, 40, 50])
    return Draft(
        request=rng.choice(["A delivery of {n} {p} units just arrived. Add them to its stock.",
                            "Restock the {p} by {n} units in the shop database."]).format(n=units, p=product["name"]),
        calls=(call("find", database="shop", collection="products", filter={"name": product["name"]}),
               call("update_one", database="shop", collection="products", filter={"sku": product["sku"]},
                    update={"$inc": {"stock": units}})))


@scenario
def ship_order(world: World, rng: random.Random) -> Draft:
    order = rng.choice([o for o in docs(world, "shop", "orders") if o["status"] == "paid"])
    tracking = f"1Z{rng.randrange(10**9, 10**10)}"
    return Draft(
        request=rng.choice(["Order {n} went out today with tracking number {t}. Set its status to shipped and "
                            "store the tracking number in a 'tracking' field.",
                            "Mark order {n} as shipped (status 'shipped') and save tracking {t} as its "
                            "'tracking' field."]).format(n=order["order_number"], t=tracking),
        calls=(call("find", database="shop", collection="orders", filter={"order_number": order["order_number"]}),
               call("update_one", database="shop", collection="orders", filter={"order_number": order["order_number"]},
                    update={"$set": {"status": "shipped", "tracking": tracking}})))


@scenario
def cancel_and_restock(world: World, rng: random.Random) -> Draft:
    order = rng.choice([o for o in docs(world, "shop", "orders") if o["status"] in ("pending", "paid")])
    return Draft(
        request=rng.choice(["The customer cancelled order {n}. Set it to cancelled and put its items back into "
                            "product stock.", "Cancel order {n} (status 'cancelled') and return every item of it "
                            "to stock."]).format(n=order["order_number"]),
        calls=(call("find", database="shop", collection="orders", filter={"order_number": order["order_number"]}),
               call("update_one", database="shop", collection="orders", filter={"order_number": order["order_number"]},
                    update={"$set": {"status": "cancelled"}}),
               *(call("update_one", database="shop", collection="products", filter={"sku": item["sku"]},
                      update={"$inc": {"stock": item["qty"]}}) for item in order["items"])))


@scenario
def new_product(world: World, rng: random.Random) -> Draft:
    name, category = rng.choice([("Enamel Dutch Oven", "kitchen"), ("Standing Desk Mat", "office"),
                                 ("Packable Rain Jacket", "outdoor"), ("Kettlebell 12kg", "fitness"),
                                 ("Ceramic Planter", "home")])
    sku = f"{category[:3].upper()}-{rng.randrange(5000, 9999)}"
    price, stock = rng.randrange(1999, 8999) / 100, rng.choice([10, 24, 30, 60])
    return Draft(
        request=(f"Add a new product to shop.products: sku '{sku}', name '{name}', category '{category}', price "
                 f"{price}, stock {stock}, and an empty tags list. Check first that the SKU isn't taken."),
        calls=(call("count", database="shop", collection="products", filter={"sku": sku}),
               call("insert_one", database="shop", collection="products", document={
                   "sku": sku, "name": name, "category": category, "price": price, "stock": stock, "tags": []})))


@scenario
def coupons_collection(world: World, rng: random.Random) -> Draft:
    code, percent = rng.choice([("SPRING10", 10), ("WELCOME15", 15), ("VIP20", 20), ("FLASH25", 25)])
    return Draft(
        request=(f"We're launching coupons. Create a 'coupons' collection in the shop database and add the coupon "
                 f"with code '{code}', percent_off {percent} and active true."),
        calls=(call("list_collections", database="shop"), call("create_collection", database="shop", collection="coupons"),
               call("insert_one", database="shop", collection="coupons",
                    document={"code": code, "percent_off": percent, "active": True})))


@scenario
def upgrade_big_spender(world: World, rng: random.Random) -> Draft | None:
    spent: dict[str, float] = {}
    for order in docs(world, "shop", "orders"):
        if order["status"] == "delivered":
            spent[order["customer"]["email"]] = round(spent.get(order["customer"]["email"], 0) + order["total"], 2)
    top = sorted(spent.items(), key=lambda kv: -kv[1])
    if top[0][1] == top[1][1]:
        return None
    email = top[0][0]
    return Draft(
        request="Find the customer who has spent the most on delivered orders and move them to the 'gold' tier. "
                "Who is it and how much have they spent?",
        calls=(call("aggregate", database="shop", collection="orders", pipeline=[
            {"$match": {"status": "delivered"}}, {"$group": {"_id": "$customer.email", "spent": {"$sum": "$total"}}},
            {"$sort": {"spent": -1}}, {"$limit": 3}]),
               call("update_one", database="shop", collection="customers", filter={"email": email},
                    update={"$set": {"tier": "gold"}})),
        answer=(email, f"{top[0][1]:.2f}"))


@scenario
def remove_flagged_comments(world: World, rng: random.Random) -> Draft | None:
    posts = unique_by(docs(world, "blog", "posts"), "title")
    comments = docs(world, "blog", "comments")
    flagged = [p for p in posts if any(c["post_slug"] == p["slug"] and c["flagged"] for c in comments)]
    if not flagged:
        return None
    post = rng.choice(flagged)
    mine = [c for c in comments if c["post_slug"] == post["slug"] and c["flagged"]]
    return Draft(
        request=rng.choice(["Clean up the post '{t}': delete every flagged comment on it.",
                            "Spam alert on '{t}'. Remove its flagged comments from the blog database."]
                           ).format(t=post["title"]),
        calls=(call("find", database="blog", collection="posts", filter={"title": post["title"]}),
               call("find", database="blog", collection="comments", filter={"post_slug": post["slug"],
                                                                            "flagged": True}),
               *(call("delete_one", database="blog", collection="comments", filter={"_id": c["_id"]})
                 for c in mine)))


@scenario
def publish_draft(world: World, rng: random.Random) -> Draft | None:
    drafts = [p for p in unique_by(docs(world, "blog", "posts"), "title") if p["status"] == "draft"]
    if not drafts:
        return None
    post = rng.choice(drafts)
    return Draft(
        request=(f"Publish my draft '{post['title']}': set its status to 'published' and published_at to "
                 f"2026-03-02, and add the tag 'featured'."),
        calls=(call("find", database="blog", collection="posts", filter={"title": post["title"]}),
               call("update_one", database="blog", collection="posts", filter={"slug": post["slug"]},
                    update={"$set": {"status": "published", "published_at": "2026-03-02"},
                            "$push": {"tags": "featured"}})))


@scenario
def comment_as_user(world: World, rng: random.Random) -> Draft:
    post = rng.choice([p for p in unique_by(docs(world, "blog", "posts"), "title") if p["status"] == "published"])
    user = rng.choice(docs(world, "blog", "users"))
    text = rng.choice(["Thanks, this helped our team a lot.", "Great follow-up to the last post.",
                       "We hit the same issue in production."])
    return Draft(
        request=(f"Post a comment on '{post['title']}' as {user['username']}. Store it in blog.comments with the "
                 f"post's slug as post_slug, author, text, flagged false and created_at 2026-03-02. I'll tell you "
                 "the text when you ask."),
        calls=(call("find", database="blog", collection="posts", filter={"title": post["title"]},
                    projection={"slug": 1}),
               call("insert_one", database="blog", collection="comments", document={
                   "post_slug": post["slug"], "author": user["username"], "text": text, "flagged": False,
                   "created_at": "2026-03-02"})),
        ask=(UserFact("comment text", text, ("text", "comment", "say", "what")),))


@scenario
def top_author(world: World, rng: random.Random) -> Draft | None:
    likes: dict[str, int] = {}
    for post in docs(world, "blog", "posts"):
        if post["status"] == "published":
            likes[post["author"]] = likes.get(post["author"], 0) + post["likes"]
    ranked = sorted(likes.items(), key=lambda kv: -kv[1])
    if ranked[0][1] == ranked[1][1]:
        return None
    name = next(u["display_name"] for u in docs(world, "blog", "users") if u["username"] == ranked[0][0])
    return Draft(
        request="Which blog author has collected the most likes on published posts? I want their display name "
                "and the like total.",
        calls=(call("aggregate", database="blog", collection="posts", pipeline=[
            {"$match": {"status": "published"}}, {"$group": {"_id": "$author", "likes": {"$sum": "$likes"}}},
            {"$sort": {"likes": -1}}]),
               call("find", database="blog", collection="users", filter={"username": ranked[0][0]})),
        answer=(name, str(ranked[0][1])))


@scenario
def busiest_country(world: World, rng: random.Random) -> Draft | None:
    page = rng.choice(["/pricing", "/docs", "/signup", "/blog"])
    views: dict[str, int] = {}
    for view in docs(world, "analytics", "page_views"):
        if view["path"] == page:
            views[view["country"]] = views.get(view["country"], 0) + 1
    ranked = sorted(views.items(), key=lambda kv: -kv[1])
    if len(ranked) < 2 or ranked[0][1] == ranked[1][1]:
        return None
    return Draft(
        request=rng.choice(["Which country sent the most page views to {p}, and how many?",
                            "Looking at analytics: top country by views of the {p} page?"]).format(p=page),
        calls=(call("aggregate", database="analytics", collection="page_views", pipeline=[
            {"$match": {"path": page}}, {"$group": {"_id": "$country", "views": {"$sum": 1}}},
            {"$sort": {"views": -1}}]),),
        answer=(ranked[0][0], str(ranked[0][1])))


@scenario
def collection_sizes(world: World, rng: random.Random) -> Draft:
    database = rng.choice(["blog", "analytics"])
    collection = rng.choice([r["collection"] for r in world.rows(
        "SELECT collection FROM collections WHERE database = ? ORDER BY collection", database)])
    count = world.value("SELECT COUNT(*) FROM documents WHERE database = ? AND collection = ?", database, collection)
    return Draft(
        request=f"Which databases do I have, and how many documents are in the {collection} collection of "
                f"{database}? Just that number is fine for the second part.",
        calls=(call("list_databases"), call("list_collections", database=database)),
        answer=("analytics", "blog", "shop", str(count)))


@scenario
def customer_city_move(world: World, rng: random.Random) -> Draft:
    customer = rng.choice(docs(world, "shop", "customers"))
    city = rng.choice(["Portland", "Denver", "Raleigh", "Madison", "Tucson"])
    return Draft(
        request=f"The customer with email {customer['email']} moved to {city}. Update their city.",
        calls=(call("update_one", database="shop", collection="customers", filter={"email": customer["email"]},
                    update={"$set": {"city": city}}),))


@scenario
def duplicate_customer_cleanup(world: World, rng: random.Random) -> Draft | None:
    customer = rng.choice(docs(world, "shop", "customers"))
    orders = [o for o in docs(world, "shop", "orders") if o["customer"]["email"] == customer["email"]]
    if orders:
        return None
    return Draft(
        request=(f"Delete the customer {customer['name']} ({customer['email']}) from shop, but only if they have "
                 "never placed an order."),
        calls=(call("count", database="shop", collection="orders", filter={"customer.email": customer["email"]}),
               call("delete_one", database="shop", collection="customers", filter={"email": customer["email"]})))
