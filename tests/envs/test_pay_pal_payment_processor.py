"""Behaviour of the PayPalPaymentProcessor environment: order lifecycle, authorizations, captures, refunds."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "PayPalPaymentProcessor"


def payer(world: Any) -> str:
    return world.value("SELECT payer_email FROM payers ORDER BY payer_id")


def test_capture_flow_created_approved_completed(env: Any, world: Any) -> None:
    items = [{"name": "Mug", "quantity": 2, "unit_amount": "12.50"}]
    assert fails(env, world, "create_order", {"amount": "30", "items": items}) == (
        "item total 25.00 does not match amount 30.00 USD (AMOUNT_MISMATCH)")
    assert fails(env, world, "create_order", {"amount": "10.5", "currency_code": "JPY"}) == (
        "JPY does not support decimal amounts; got '10.5'")
    order = world.call("create_order", {"amount": "25", "items": items, "description": "Mugs"})
    assert (order["status"], order["amount"], order["intent"]) == ("CREATED", "25.00", "CAPTURE")
    assert fails(env, world, "capture_order", {"order_id": order["id"]}) == (
        f"order '{order['id']}' is not approved by the payer yet (ORDER_NOT_APPROVED); the payer must confirm it "
        "first (confirm_payment_source)")
    assert fails(env, world, "confirm_payment_source", {"order_id": order["id"], "payer_email": "x@nowhere.com"}) == (
        "no PayPal account uses 'x@nowhere.com' (PAYER_ACCOUNT_NOT_FOUND)")
    assert world.call("confirm_payment_source", {"order_id": order["id"], "payer_email": payer(world)})["status"] == "APPROVED"
    captured = world.call("capture_order", {"order_id": order["id"]})
    assert (captured["status"], captured["amount"]) == ("COMPLETED", "25.00")
    assert world.row("SELECT status, amount, order_id FROM captures WHERE id = ?", captured["capture_id"]) == {
        "status": "COMPLETED", "amount": "25.00", "order_id": order["id"]}
    assert world.value("SELECT status FROM orders WHERE id = ?", order["id"]) == "COMPLETED"
    assert fails(env, world, "capture_order", {"order_id": order["id"]}) == (
        f"order '{order['id']}' is COMPLETED (ORDER_ALREADY_COMPLETED); only an APPROVED order can be completed")
    assert fails(env, world, "authorize_order", {"order_id": order["id"]}) == (
        f"order '{order['id']}' has intent CAPTURE (ACTION_DOES_NOT_MATCH_INTENT); use capture_order")


def test_authorization_partial_captures_and_refunds(env: Any, world: Any) -> None:
    order = world.call("create_order", {"amount": "100.00", "intent": "AUTHORIZE"})
    world.call("confirm_payment_source", {"order_id": order["id"], "payer_email": payer(world)})
    auth = world.call("authorize_order", {"order_id": order["id"]})
    assert auth["expiration_time"] == "2026-03-31T09:02:00Z"
    first = world.call("capture_authorized_payment", {"authorization_id": auth["authorization_id"], "amount": "40",
                                                      "final_capture": False})
    assert first["authorization_status"] == "PARTIALLY_CAPTURED"
    assert fails(env, world, "capture_authorized_payment", {"authorization_id": auth["authorization_id"],
                                                            "amount": "60.01"}) == (
        "cannot capture 60.01 USD: only 60.00 USD of the authorization is left (MAX_CAPTURE_AMOUNT_EXCEEDED)")
    rest = world.call("capture_authorized_payment", {"authorization_id": auth["authorization_id"]})
    assert (rest["amount"], rest["authorization_status"]) == ("60.00", "CAPTURED")
    assert fails(env, world, "void_authorization", {"authorization_id": auth["authorization_id"]}) == (
        f"authorization '{auth['authorization_id']}' is CAPTURED and cannot be voided")
    refund = world.call("refund_capture", {"capture_id": rest["id"], "amount": "10", "note_to_payer": "Scratched"})
    assert refund["amount"] == "10.00"
    assert world.call("get_capture_details", {"capture_id": rest["id"]})["status"] == "PARTIALLY_REFUNDED"
    assert fails(env, world, "refund_capture", {"capture_id": rest["id"], "amount": "50.01"}) == (
        "cannot refund 50.01 USD: only 50.00 USD of the capture is left to refund (REFUND_AMOUNT_EXCEEDED)")
    world.call("refund_capture", {"capture_id": rest["id"]})
    assert fails(env, world, "refund_capture", {"capture_id": rest["id"]}) == (
        f"capture '{rest['id']}' is already fully refunded (CAPTURE_FULLY_REFUNDED)")
    details = world.call("get_order_details", {"order_id": order["id"]})["purchase_units"][0]["payments"]
    assert [c["amount"] for c in details["captures"]] == ["40.00", "60.00"]
    assert [r["amount"] for r in details["refunds"]] == ["10.00", "50.00"]


def test_void_and_expired_authorizations(env: Any, world: Any) -> None:
    expired = world.row("SELECT * FROM authorizations WHERE status = 'CREATED' ORDER BY id")
    assert world.call("void_authorization", {"authorization_id": expired["id"]}) == {"id": expired["id"],
                                                                                     "status": "VOIDED"}
    assert fails(env, world, "capture_authorized_payment", {"authorization_id": expired["id"]}) == (
        f"authorization '{expired['id']}' is VOIDED and cannot be captured (AUTHORIZATION_ALREADY_VOIDED)")
    assert fails(env, world, "get_order_details", {"order_id": "NOPE"}) == (
        "order 'NOPE' not found (RESOURCE_NOT_FOUND); check the order id")


def test_agent_schema_shows_limits() -> None:
    tools = world_set(ENV)(0).tools
    props = tools["create_order"][1].parameters["properties"]
    assert props["currency_code"]["enum"] == ["USD", "EUR", "GBP", "CAD", "AUD", "JPY"]
    assert props["amount"]["pattern"] == r"^\s*\d{1,5}(\.\d{1,2})?\s*$"
    assert tools["get_order_details"][1].user_known == frozenset({"order_id"})


def test_capture_task_gold_earns_one_and_another_order_zero(env: Any, world: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "capture_order" and not t.user_facts
                and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:-1]) == 0.0
