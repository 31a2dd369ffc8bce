"""Behaviour of the Telecom environment: look-ups, line suspension, roaming, data top-ups, payment requests,
exact errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "Telecom"
OVERDUE = "EXISTS (SELECT 1 FROM bills b WHERE b.customer_id = l.customer_id AND paid = 0 AND due_date < '2026-03-02')"


def line(world: Any, where: str) -> dict[str, Any]:
    return world.row(f"SELECT l.*, p.* FROM lines l JOIN plans p USING (plan_id) WHERE {where} ORDER BY line_id")


def ids(found: dict[str, Any]) -> dict[str, str]:
    return {"customer_id": found["customer_id"], "line_id": found["line_id"]}


def test_lookups_by_phone_id_and_name(env: Any, world: Any) -> None:
    second = line(world, "phone_number NOT IN (SELECT phone_number FROM customers)")
    customer = world.call("get_customer_by_phone", {"phone_number": second["phone_number"]})
    assert customer["customer_id"] == second["customer_id"]
    assert second["line_id"] in [entry["line_id"] for entry in customer["lines"]]
    assert world.call("get_customer_by_id", {"customer_id": second["customer_id"]}) == customer
    record = world.row("SELECT * FROM customers WHERE customer_id = ?", second["customer_id"])
    found = world.call("get_customer_by_name", {"full_name": record["full_name"].upper(), "dob": record["dob"]})
    assert found == {"customers": [customer]}
    details = world.call("get_details_by_id", {"customer_id": record["customer_id"]})
    assert (details["email"], details["city"], len(details["bill_ids"])) == (record["email"], record["city"], 4)
    assert fails(env, world, "get_customer_by_phone", {"phone_number": "9999999999"}) == (
        "no customer has the phone number '9999999999'")
    assert fails(env, world, "get_customer_by_id", {"customer_id": "C999999"}) == "no customer with id 'C999999'"


def test_schema_shows_the_limits_and_what_the_user_knows() -> None:
    tools = world_set(ENV)(0).tools
    gb = tools["refuel_data"][1].parameters["properties"]["gb_amount"]
    assert (gb["minimum"], gb["maximum"], gb["multipleOf"]) == (0.5, 30, 0.5)
    assert tools["suspend_line"][1].parameters["properties"]["reason"]["enum"][0] == "lost_device"
    assert tools["get_customer_by_name"][1].user_known == frozenset({"full_name", "dob"})
    assert tools["get_usage"][1].user_known == frozenset()


def test_suspend_switches_roaming_off_and_blocks_roaming(env: Any, world: Any) -> None:
    roaming = line(world, "status = 'active' AND roaming_enabled = 1")
    result = world.call("suspend_line", {**ids(roaming), "reason": "lost_device"})
    assert result == {"line_id": roaming["line_id"], "status": "suspended", "suspension_start_date": "2026-03-02",
                      "reason": "lost_device", "roaming_enabled": False}
    after = world.row("SELECT status, roaming_enabled, suspension_reason FROM lines WHERE line_id = ?",
                      roaming["line_id"])
    assert after == {"status": "suspended", "roaming_enabled": 0, "suspension_reason": "lost_device"}
    assert fails(env, world, "enable_roaming", ids(roaming)) == (
        f"line '{roaming['line_id']}' is suspended; resume it before enabling roaming")
    assert fails(env, world, "suspend_line", {**ids(roaming), "reason": "travel"}) == (
        f"line '{roaming['line_id']}' is already suspended (since 2026-03-02)")
    assert fails(env, world, "refuel_data", {**ids(roaming), "gb_amount": 1}) == (
        f"line '{roaming['line_id']}' is suspended; data can only be added to an active line")


def test_resume_needs_overdue_bills_paid(env: Any, world: Any) -> None:
    blocked = line(world, f"status = 'suspended' AND {OVERDUE}")
    bill = world.row("SELECT * FROM bills WHERE customer_id = ? AND paid = 0 AND due_date < '2026-03-02'"
                     " ORDER BY due_date", blocked["customer_id"])
    assert fails(env, world, "resume_line", ids(blocked)) == (
        f"customer '{blocked['customer_id']}' has overdue bill '{bill['bill_id']}' ({bill['amount_cents'] / 100:.2f}"
        f" USD, due {bill['due_date']}); it must be paid before the line can be resumed (send_payment_request sends"
        " the customer a payment link)")
    free = line(world, f"status = 'suspended' AND NOT {OVERDUE}")
    assert world.call("resume_line", ids(free)) == {"line_id": free["line_id"], "status": "active"}
    assert world.row("SELECT status, suspension_start_date FROM lines WHERE line_id = ?", free["line_id"]) == {
        "status": "active", "suspension_start_date": None}
    assert fails(env, world, "resume_line", ids(free)) == f"line '{free['line_id']}' is not suspended"


def test_roaming_rules(env: Any, world: Any) -> None:
    off = line(world, "status = 'active' AND roaming_enabled = 0 AND roaming_allowed = 1")
    assert world.call("enable_roaming", ids(off)) == {"line_id": off["line_id"], "roaming_enabled": True}
    assert world.value("SELECT roaming_enabled FROM lines WHERE line_id = ?", off["line_id"]) == 1
    assert fails(env, world, "enable_roaming", ids(off)) == f"roaming is already enabled on line '{off['line_id']}'"
    assert world.call("disable_roaming", ids(off)) == {"line_id": off["line_id"], "roaming_enabled": False}
    assert fails(env, world, "disable_roaming", ids(off)) == f"roaming is already disabled on line '{off['line_id']}'"
    lite = line(world, "status = 'active' AND roaming_allowed = 0")
    assert fails(env, world, "enable_roaming", ids(lite)) == (
        f"the plan 'Prepaid Lite 3GB' of line '{lite['line_id']}' does not include roaming; the customer needs a"
        " plan with roaming")
    other = world.value("SELECT customer_id FROM customers WHERE customer_id != ? ORDER BY customer_id",
                        off["customer_id"])
    assert fails(env, world, "disable_roaming", {"customer_id": other, "line_id": off["line_id"]}) == (
        f"line '{off['line_id']}' does not belong to customer '{other}'")


def test_refuel_adds_data_charges_and_respects_the_cap(env: Any, world: Any) -> None:
    target = line(world, "status = 'active' AND plan_id = 'P-SMART'")
    usage = world.call("get_usage", ids(target))
    result = world.call("refuel_data", {**ids(target), "gb_amount": 2.5})
    total = target["data_refueling_gb"] + 2.5
    assert result == {"line_id": target["line_id"], "gb_added": 2.5, "new_data_refueling_gb": total,
                      "charge_amount": 7.5, "currency": "USD"}
    after = world.call("get_usage", ids(target))
    assert after["data_remaining_gb"] == round(usage["data_remaining_gb"] + 2.5, 2)
    assert world.row("SELECT gb_amount, charge_cents FROM refuels WHERE line_id = ? AND bought_at = ?",
                     target["line_id"], "2026-03-02 09:00") == {"gb_amount": 2.5, "charge_cents": 750}
    assert fails(env, world, "refuel_data", {**ids(target), "gb_amount": 10}) == (
        f"the plan 'Smart 25GB' allows 10 GB of extra data per cycle and line '{target['line_id']}' already has "
        f"{total:g} GB; at most {10 - total:g} GB more")
    assert fails(env, world, "refuel_data", {**ids(target), "gb_amount": 0.7}).startswith(
        "invalid arguments for 'refuel_data': gb_amount:")


def test_payment_request_rules(env: Any, world: Any) -> None:
    due = world.row("SELECT * FROM bills WHERE paid = 0 ORDER BY bill_id")
    customer = world.row("SELECT * FROM customers WHERE customer_id = ?", due["customer_id"])
    result = world.call("send_payment_request", {"customer_id": due["customer_id"], "bill_id": due["bill_id"]})
    assert result == {"bill_id": due["bill_id"], "status": "payment_requested", "amount": due["amount_cents"] / 100,
                      "sent_to": customer["email"]}
    listed = world.call("list_bills", {"customer_id": due["customer_id"]})["bills"]
    assert next(b for b in listed if b["bill_id"] == due["bill_id"])["payment_requested"] is True
    again = {"customer_id": due["customer_id"], "bill_id": due["bill_id"]}
    assert fails(env, world, "send_payment_request", again) == (
        f"a payment request for bill '{due['bill_id']}' is still open; the customer must pay it before another "
        "request is sent")
    paid = world.row("SELECT * FROM bills WHERE paid = 1 ORDER BY bill_id")
    assert fails(env, world, "send_payment_request", {"customer_id": paid["customer_id"],
                                                      "bill_id": paid["bill_id"]}) == (
        f"bill '{paid['bill_id']}' is already paid")
    stranger = world.value("SELECT customer_id FROM customers WHERE customer_id != ? ORDER BY customer_id",
                           paid["customer_id"])
    assert fails(env, world, "send_payment_request", {"customer_id": stranger, "bill_id": paid["bill_id"]}) == (
        f"customer '{stranger}' has no bill '{paid['bill_id']}'; list_bills shows their bills")


def test_line_task_gold_earns_one_and_another_line_zero(env: Any, world: Any) -> None:
    writes = ("suspend_line", "resume_line", "enable_roaming", "disable_roaming", "refuel_data")
    task = next(t for t in env.tasks if t.tags["chain"][-1] in writes and t.seed == 0
                and not t.user_facts and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    other = world.value("SELECT line_id FROM lines WHERE line_id != ? ORDER BY customer_id = ? DESC, line_id",
                        arguments["line_id"], arguments["customer_id"])
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "line_id": other})]) == 0.0
    assert play(env, task.id, calls[:-1]) == 0.0


def test_read_task_needs_the_answer_facts(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "get_usage" and not t.user_facts
                and len(t.tags["chain"]) == 2)
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="Here it is: " + "; ".join(task.answer_facts) + ".") == 1.0
    assert play(env, task.id, calls, answer="Your line looks fine.") == 0.0
