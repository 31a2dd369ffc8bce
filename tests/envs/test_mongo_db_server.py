"""Behaviour of the MongoDBServer environment: queries, pipelines, validated writes, exact errors and rewards."""

from __future__ import annotations

import json
from typing import Any

from envfactory_gym.registration import world_set
from envs.utilities.mongo_db_server import matches
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "MongoDBServer"


def stored(world: Any, collection: str, **match: Any) -> list[dict[str, Any]]:
    docs = [{"_id": r["_id"], **json.loads(r["body"])} for r in world.rows(
        "SELECT _id, body FROM documents WHERE collection = ? ORDER BY rowid", collection)]
    return [d for d in docs if all(d.get(k) == v for k, v in match.items())]


def test_find_filters_projects_sorts_and_pages(env: Any, world: Any) -> None:
    orders = stored(world, "orders")
    expected = sorted((o for o in orders if o["status"] == "paid" and o["total"] >= 100),
                      key=lambda o: -o["total"])[:3]
    result = world.call("find", {"database": "shop", "collection": "orders", "limit": 3, "sort": {"total": -1},
                                 "filter": {"status": {"$in": ["paid"]}, "total": {"$gte": 100}},
                                 "projection": {"order_number": 1, "total": 1, "_id": 0}})
    assert result == {"database": "shop", "collection": "orders", "count": len(expected), "documents": [
        {"order_number": o["order_number"], "total": o["total"]} for o in expected]}
    sku = orders[0]["items"][0]["sku"]
    nested = world.call("find", {"database": "shop", "collection": "orders", "filter": {"items.sku": sku},
                                 "limit": 100})
    assert {d["order_number"] for d in nested["documents"]} == {
        o["order_number"] for o in orders if any(i["sku"] == sku for i in o["items"])}
    assert fails(env, world, "find", {"database": "shop", "collection": "orders",
                                      "projection": {"total": 1, "items": 0}}) == (
        "cannot mix inclusion and exclusion: exclusion of 'items' in an inclusion projection (only _id may be "
        "excluded there)")
    assert fails(env, world, "find", {"database": "shop", "collection": "orders",
                                      "filter": {"total": {"$between": [1, 2]}}}) == (
        "unknown operator '$between' on field 'total' in filter; supported: $all, $eq, $exists, $gt, $gte, $in, "
        "$lt, $lte, $ne, $nin, $not, $options, $regex, $size")
    assert fails(env, world, "find", {"database": "shop", "collection": "carts"}) == (
        "collection 'carts' does not exist in database 'shop'; list_collections shows its collections")


def test_equalities_read_only_the_documents_that_may_match_and_find_what_a_scan_finds(world: Any) -> None:
    """Plain equalities on top-level fields narrow the documents in SQL; an array holding the value, a number
    written as a float, the _id and the rest of the filter still decide as they would over every document."""
    products = stored(world, "products")
    tagged = next(p for p in products if p["tags"])
    cases = [{"tags": tagged["tags"][0]}, {"stock": float(tagged["stock"]), "category": tagged["category"]},
             {"_id": tagged["_id"], "price": {"$gt": 0}}, {"sku": tagged["sku"], "name": "another name"},
             {"category": tagged["category"], "$or": [{"stock": 0}, {"tags": "sale"}]}]
    for query in cases:
        found = world.call("find", {"database": "shop", "collection": "products", "filter": query, "limit": 100})
        assert [d["_id"] for d in found["documents"]] == [p["_id"] for p in products if matches(p, query)], query
    assert world.call("count", {"database": "shop", "collection": "products", "filter": {"tags": tagged["tags"][0]}})[
        "count"] == sum(tagged["tags"][0] in p["tags"] for p in products) > 0


def test_aggregate_groups_and_validates_stages(env: Any, world: Any) -> None:
    orders = stored(world, "orders")
    result = world.call("aggregate", {"database": "shop", "collection": "orders", "pipeline": [
        {"$match": {"status": "delivered"}}, {"$group": {"_id": None, "n": {"$count": {}}, "sum": {"$sum": "$total"}}},
        {"$project": {"_id": 0, "orders": "$n", "revenue": "$sum"}}]})
    delivered = [o["total"] for o in orders if o["status"] == "delivered"]
    assert result["results"] == [{"orders": len(delivered), "revenue": round(sum(delivered), 6)}]
    assert fails(env, world, "aggregate", {"database": "shop", "collection": "orders",
                                           "pipeline": [{"$lookup": {"from": "customers"}}]}) == (
        "unsupported pipeline stage '$lookup' (stage 1); supported: $match, $group, $sort, $limit, $skip, "
        "$project, $unwind, $count")
    assert fails(env, world, "aggregate", {"database": "shop", "collection": "orders",
                                           "pipeline": [{"$group": {"n": {"$sum": 1}}}]}) == (
        "$group needs an _id: a \"$field\" to group by, or null for one group of everything")
    assert fails(env, world, "aggregate", {"database": "shop", "collection": "orders",
                                           "pipeline": [{"$match": {}}, {"$limit": 0}]}) == (
        "$limit needs a positive integer")


def test_insert_one_validates_and_stores_the_document(env: Any, world: Any) -> None:
    product = {"sku": "KIT-7777", "name": "Tea Towel", "category": "kitchen", "price": 9.5, "stock": 20.0}
    result = world.call("insert_one", {"database": "shop", "collection": "products", "document": product})
    assert result == {"acknowledged": True, "inserted_id": result["inserted_id"],
                      "document": {"_id": result["inserted_id"], **product, "stock": 20}}
    assert stored(world, "products", sku="KIT-7777") == [{"_id": result["inserted_id"], **product, "stock": 20}]
    taken = stored(world, "products")[0]["sku"]
    assert fails(env, world, "insert_one", {"database": "shop", "collection": "products",
                                            "document": {**product, "sku": taken}}) == (
        f"E11000 duplicate key error collection: shop.products index: sku_1 dup key: {{ sku: \"{taken}\" }}")
    assert fails(env, world, "insert_one", {"database": "shop", "collection": "products",
                                            "document": {"sku": "X-1", "name": "X", "price": "9"}}) == (
        "document failed validation: 'price' must be of type number in shop.products")
    assert fails(env, world, "insert_one", {"database": "shop", "collection": "products",
                                            "document": {"sku": "X-1", "name": "X", "price": 9}}) == (
        "document failed validation: shop.products requires the field 'stock'")
    assert fails(env, world, "insert_one", {"database": "shop", "collection": "coupons", "document": {"a": 1}}) == (
        "collection 'coupons' does not exist in database 'shop'; list_collections shows its collections, "
        "create_collection creates one")
    assert fails(env, world, "insert_one", {"database": "analytics", "collection": "events",
                                            "document": {"name": "x"}}) == (
        "not authorized on analytics to execute command insert: the analytics database is read-only for this user")
    assert fails(env, world, "insert_one", {"database": "blog", "collection": "posts",
                                            "document": {"$set": {"a": 1}}}) == (
        "invalid field name '$set': field names must be non-empty and may not start with '$' or contain '.'")


def test_update_one_applies_operators_to_the_first_match(env: Any, world: Any) -> None:
    product = stored(world, "products")[0]
    result = world.call("update_one", {"database": "shop", "collection": "products", "filter": {"sku": product["sku"]},
                                       "update": {"$inc": {"stock": 5}, "$push": {"tags": "restocked"}}})
    after = {**product, "stock": product["stock"] + 5, "tags": [*product["tags"], "restocked"]}
    assert result == {"acknowledged": True, "matched_count": 1, "modified_count": 1, "document": after}
    assert stored(world, "products", sku=product["sku"]) == [after]
    where = {"database": "shop", "collection": "products", "filter": {"sku": product["sku"]}}
    assert fails(env, world, "update_one", {**where, "update": {"stock": 1}}) == (
        "update needs update operators ($set, $unset, $inc, $push, $pull), not a replacement document")
    assert fails(env, world, "update_one", {**where, "update": {"$inc": {"name": 1}}}) == (
        "cannot apply $inc to 'name': it holds a str, not a number")
    assert fails(env, world, "update_one", {**where, "update": {"$set": {"_id": "x"}}}) == (
        "performing an update on the path '_id' would modify the immutable field '_id'")
    assert fails(env, world, "update_one", {**where, "update": {"$unset": {"price": ""}}}) == (
        "document failed validation: shop.products requires the field 'price'")
    none = world.call("update_one", {**where, "filter": {"sku": "NOPE"}, "update": {"$set": {"stock": 1}}})
    assert none == {"acknowledged": True, "matched_count": 0, "modified_count": 0, "document": None}


def test_delete_one_and_create_collection(env: Any, world: Any) -> None:
    comment = stored(world, "comments", flagged=True)[0]
    before = world.value("SELECT COUNT(*) FROM documents WHERE collection = 'comments'")
    assert world.call("delete_one", {"database": "blog", "collection": "comments", "filter": {"_id": comment["_id"]}}
                      ) == {"acknowledged": True, "deleted_count": 1}
    assert world.value("SELECT COUNT(*) FROM documents WHERE collection = 'comments'") == before - 1
    assert fails(env, world, "delete_one", {"database": "blog", "collection": "comments", "filter": {}}) == (
        "delete_one needs a non-empty filter naming the document to delete")
    assert world.call("create_collection", {"database": "crm", "collection": "leads"}) == {
        "ok": True, "database": "crm", "collection": "leads"}
    assert world.row("SELECT * FROM collections WHERE database = 'crm'") == {
        "database": "crm", "collection": "leads", "required": "{}"}
    assert world.value("SELECT read_only FROM databases WHERE database = 'crm'") == 0
    assert fails(env, world, "create_collection", {"database": "shop", "collection": "orders"}) == (
        "collection shop.orders already exists")
    assert fails(env, world, "create_collection", {"database": "analytics", "collection": "x"}) == (
        "not authorized on analytics to execute command create: the analytics database is read-only for this user")


def test_schema_shows_limits_and_user_known_names(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    limit = tools["find"][1].parameters["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 100, 10)
    assert tools["find"][1].user_known == frozenset({"database", "collection"})
    assert fails(env, world, "find", {"database": "shop", "collection": "orders", "limit": 500}) == (
        "invalid arguments for 'find': limit must be between 1 and 100")
    assert tools["aggregate"][1].parameters["properties"]["pipeline"]["maxItems"] == 12


def test_restock_gold_earns_one_and_the_wrong_amount_zero(env: Any) -> None:
    task = scenario_task(env, "restock")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    wrong = {**arguments, "update": {"$inc": {"stock": arguments["update"]["$inc"]["stock"] + 1}}}
    assert play(env, task.id, [*calls[:-1], (name, wrong)]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_cancel_and_restock_needs_every_item_back(env: Any) -> None:
    task = scenario_task(env, "cancel_and_restock")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:-1]) == 0.0
