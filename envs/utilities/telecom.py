"""Telecom: a mobile operator's customer service desk: customers, their lines and plans, bills, data usage,
roaming, data top-ups and payment requests."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, draw_unique

#: plan id -> (name, monthly fee in cents, data GB, roaming allowed, top-up price per GB in cents, top-up cap GB)
PLANS = {
    "P-LITE": ("Prepaid Lite 3GB", 1500, 3, 0, 500, 2),
    "P-BASIC": ("Basic 10GB", 2500, 10, 1, 400, 5),
    "P-SMART": ("Smart 25GB", 4000, 25, 1, 300, 10),
    "P-TRAVEL": ("Travel 40GB", 5500, 40, 1, 300, 15),
    "P-FAMILY": ("Family Share 60GB", 7000, 60, 1, 250, 20),
    "P-BIZ": ("Business Pro 100GB", 9000, 100, 1, 200, 30),
}
SUSPEND_REASONS = Literal["lost_device", "stolen_device", "travel", "temporary_break", "other"]
CustomerId = Annotated[str, Field(pattern=r"^C\d{6}$")]
LineId = Annotated[str, Field(pattern=r"^L\d{7}$")]

LineSummary = TypedDict("LineSummary", {"line_id": str, "phone_number": str, "plan_name": str, "status": str})
Customer = TypedDict("Customer", {"customer_id": str, "full_name": str, "phone_number": str,
                                  "lines": list[LineSummary]})
Customers = TypedDict("Customers", {"customers": list[Customer]})
Details = TypedDict("Details", {"customer_id": str, "full_name": str, "phone_number": str, "line_ids": list[str],
                                "lines": list[LineSummary], "bill_ids": list[str], "email": str, "city": str,
                                "country": str, "dob": str})
Bill = TypedDict("Bill", {"bill_id": str, "title": str, "issue_date": str, "due_date": str, "amount": float,
                          "status": str, "payment_requested": bool})
Bills = TypedDict("Bills", {"bills": list[Bill]})
Usage = TypedDict("Usage", {"line_id": str, "phone_number": str, "plan_name": str, "status": str,
                            "roaming_enabled": bool, "data_used_gb": float, "data_limit_gb": int,
                            "data_refueling_gb": float, "data_remaining_gb": float, "cycle_end_date": str})
Suspension = TypedDict("Suspension", {"line_id": str, "status": str, "suspension_start_date": str, "reason": str,
                                      "roaming_enabled": bool})
LineStatus = TypedDict("LineStatus", {"line_id": str, "status": str})
Roaming = TypedDict("Roaming", {"line_id": str, "roaming_enabled": bool})
Refuel = TypedDict("Refuel", {"line_id": str, "gb_added": float, "new_data_refueling_gb": float,
                              "charge_amount": float, "currency": str})
PaymentRequest = TypedDict("PaymentRequest", {"bill_id": str, "status": str, "amount": float, "sent_to": str})


class Telecom(World):
    """Customer service of a mobile operator: look customers up by phone number, customer id or name and date
    of birth, read their bills and each line's data usage, suspend and resume lines, switch roaming, buy extra
    data for the current cycle and send a customer a payment link for a bill. Amounts are in USD; a bill is
    overdue when unpaid after its due date."""

    domain = "Utilities"
    schema = """
    CREATE TABLE plans (plan_id TEXT PRIMARY KEY, plan_name TEXT NOT NULL UNIQUE, monthly_fee_cents INTEGER NOT NULL,
                        data_limit_gb INTEGER NOT NULL, roaming_allowed INTEGER NOT NULL,
                        refuel_price_cents INTEGER NOT NULL, refuel_cap_gb INTEGER NOT NULL);
    CREATE TABLE customers (customer_id TEXT PRIMARY KEY, full_name TEXT NOT NULL, dob TEXT NOT NULL,
                            phone_number TEXT NOT NULL UNIQUE, email TEXT NOT NULL, city TEXT NOT NULL,
                            country TEXT NOT NULL);
    CREATE INDEX customers_by_name ON customers (full_name, dob);
    CREATE TABLE lines (line_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers,
                        phone_number TEXT NOT NULL UNIQUE, plan_id TEXT NOT NULL REFERENCES plans,
                        status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
                        roaming_enabled INTEGER NOT NULL, data_used_gb REAL NOT NULL, data_refueling_gb REAL NOT NULL,
                        cycle_end_date TEXT NOT NULL, suspension_start_date TEXT, suspension_reason TEXT);
    CREATE INDEX lines_by_customer ON lines (customer_id);
    CREATE TABLE bills (bill_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers,
                        title TEXT NOT NULL, issue_date TEXT NOT NULL, due_date TEXT NOT NULL,
                        amount_cents INTEGER NOT NULL, paid INTEGER NOT NULL, payment_requested_at TEXT);
    CREATE INDEX bills_by_customer ON bills (customer_id, issue_date);
    CREATE TABLE refuels (line_id TEXT NOT NULL REFERENCES lines, gb_amount REAL NOT NULL,
                          charge_cents INTEGER NOT NULL, bought_at TEXT NOT NULL);
    """
    volatile = {"bills": ("payment_requested_at",), "refuels": ("bought_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["plans"].insert_all({"plan_id": k, "plan_name": v[0], "monthly_fee_cents": v[1], "data_limit_gb": v[2],
                                "roaming_allowed": v[3], "refuel_price_cents": v[4], "refuel_cap_gb": v[5]}
                               for k, v in PLANS.items())
        today = cls.start_time.date()
        customers, lines, bills, refuels, numbers = [], [], [], [], set()
        names = [f"{fake.first_name()} {fake.last_name()}" for _ in range(44)]
        names[5], names[17] = names[3], names[11]  # namesakes: a name alone does not identify a customer
        for n, full_name in enumerate(names):
            customer_id = f"C{100000 + n * 137 + rng.randrange(100):06d}"
            owned = []
            for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
                number = draw_unique(lambda: f"555{rng.randrange(10**7):07d}", numbers)
                plan = rng.choice(list(PLANS))
                suspended = rng.random() < 0.35
                limit = PLANS[plan][2]
                refuel = rng.choice([0, 0, 0, 0.5, 1, 2])
                owned.append(number)
                line_id = f"L{rng.randrange(10**7):07d}"
                if refuel:
                    bought = today - dt.timedelta(days=rng.randrange(1, 9))
                    refuels.append({"line_id": line_id, "gb_amount": refuel,
                                    "bought_at": f"{bought} 1{rng.randrange(10)}:00",
                                    "charge_cents": round(refuel * PLANS[plan][4])})
                lines.append({"line_id": line_id, "customer_id": customer_id,
                              "phone_number": number, "plan_id": plan, "status": "suspended" if suspended else "active",
                              "roaming_enabled": int(PLANS[plan][3] and not suspended and rng.random() < 0.5),
                              "data_used_gb": round(rng.uniform(0.1, 1.0) * (limit + refuel), 2),
                              "data_refueling_gb": refuel,
                              "cycle_end_date": (today + dt.timedelta(days=rng.randrange(1, 29))).isoformat(),
                              "suspension_start_date": (today - dt.timedelta(days=rng.randrange(2, 40))).isoformat()
                              if suspended else None,
                              "suspension_reason": rng.choice(["lost_device", "travel", "non_payment"])
                              if suspended else None})
            customers.append({"customer_id": customer_id, "full_name": full_name,
                              "dob": (today - dt.timedelta(days=rng.randrange(19 * 365, 80 * 365))).isoformat(),
                              "phone_number": owned[0], "email": fake.email(), "city": fake.city(),
                              "country": "USA"})
            fees = sum(PLANS[line["plan_id"]][1] for line in lines[-len(owned):])
            late = rng.random() < 0.25
            for months in range(1, 5):
                issued = dt.date(today.year - (months > today.month), (today.month - months) % 12 + 1, 1)
                due = issued + dt.timedelta(days=20)
                unpaid = months == 1 or months == 2 and late
                bills.append({"bill_id": f"B{rng.randrange(10**8):08d}", "customer_id": customer_id,
                              "title": (issued - dt.timedelta(days=1)).strftime("%B %Y"),
                              "issue_date": issued.isoformat(), "due_date": due.isoformat(),
                              "amount_cents": fees + rng.choice([0, 0, 0, 299, 500, 1250, 1800]),
                              "paid": int(not unpaid), "payment_requested_at": None})
        db["customers"].insert_all(customers)
        db["lines"].insert_all(lines)
        db["bills"].insert_all(bills)
        db["refuels"].insert_all(refuels)

    # ------------------------------------------------------------------ helpers
    def _customer(self, customer_id: str) -> dict[str, Any]:
        found = self.require("SELECT * FROM customers WHERE customer_id = ?", customer_id,
                             error=f"no customer with id '{customer_id}'")
        found["lines"] = self.rows("SELECT line_id, phone_number, plan_name, status FROM lines JOIN plans USING"
                                   " (plan_id) WHERE customer_id = ? ORDER BY line_id", customer_id)
        return {"customer_id": customer_id, "full_name": found["full_name"], "phone_number": found["phone_number"],
                "lines": found["lines"]}

    def _line(self, customer_id: str, line_id: str) -> dict[str, Any]:
        """A line of the customer with its plan, read in one query."""
        line = self.row("SELECT *, EXISTS (SELECT 1 FROM customers WHERE customer_id = ?2) AS _customer"
                        " FROM lines JOIN plans USING (plan_id) WHERE line_id = ?1", line_id, customer_id)
        if line is None or not line["_customer"]:
            self.require("SELECT 1 FROM customers WHERE customer_id = ?", customer_id,
                         error=f"no customer with id '{customer_id}'")
            raise ToolError(f"no line with id '{line_id}'; the customer's record lists their line ids")
        del line["_customer"]
        if line["customer_id"] != customer_id:
            raise ToolError(f"line '{line_id}' does not belong to customer '{customer_id}'")
        return line

    def _overdue(self, customer_id: str) -> dict[str, Any] | None:
        return self.row("SELECT * FROM bills WHERE customer_id = ? AND paid = 0 AND due_date < ? ORDER BY due_date",
                        customer_id, self.now().date().isoformat())

    def _bill(self, bill: dict[str, Any]) -> Bill:
        today = self.now().date().isoformat()
        status = "paid" if bill["paid"] else "overdue" if bill["due_date"] < today else "due"
        return {"bill_id": bill["bill_id"], "title": bill["title"], "issue_date": bill["issue_date"],
                "due_date": bill["due_date"], "amount": bill["amount_cents"] / 100, "status": status,
                "payment_requested": bill["payment_requested_at"] is not None}

    # -------------------------------------------------------------------- tools
    @tool(phrase=["look up the customer with phone number {phone_number}"])
    def get_customer_by_phone(self, phone_number: Annotated[str, UserKnown, Field(pattern=r"^\d{10}$")]) -> Customer:
        """Find the customer who owns a phone number (their contact number or any of their lines).

        Args:
            phone_number: Ten-digit phone number, digits only.
        """
        owner = self.value("SELECT customer_id FROM lines WHERE phone_number = ?", phone_number)
        if owner is None:
            raise ToolError(f"no customer has the phone number '{phone_number}'")
        return self._customer(owner)

    @tool(phrase=["look up customer {customer_id}", "pull up the account of customer {customer_id}"])
    def get_customer_by_id(self, customer_id: Annotated[str, UserKnown, Field(pattern=r"^C\d{6}$")]) -> Customer:
        """Get a customer and their lines by customer id.

        Args:
            customer_id: Customer id as printed on the bill, e.g. C100042.
        """
        return self._customer(customer_id)

    @tool(phrase=["find the customer {full_name}, born {dob}"])
    def get_customer_by_name(self, full_name: Annotated[NonEmptyStr, UserKnown],
                             dob: Annotated[str, UserKnown, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]) -> Customers:
        """Find customers by full name and date of birth (both must match; names alone are not unique).

        Args:
            full_name: First and last name.
            dob: Date of birth, YYYY-MM-DD.
        """
        found = self.rows("SELECT customer_id FROM customers WHERE lower(full_name) = lower(?) AND dob = ?"
                          " ORDER BY customer_id", full_name.strip(), dob)
        return {"customers": [self._customer(row["customer_id"]) for row in found]}

    @tool(phrase=["get the full account details of {customer_id}"])
    def get_details_by_id(self, customer_id: CustomerId) -> Details:
        """Get a customer's full record: contact details, date of birth, lines and bill ids.

        Args:
            customer_id: The customer's id.
        """
        base = self._customer(customer_id)
        row = self.row("SELECT email, city, country, dob FROM customers WHERE customer_id = ?", customer_id)
        bills = self.rows("SELECT bill_id FROM bills WHERE customer_id = ? ORDER BY issue_date DESC", customer_id)
        return {**base, "line_ids": [line["line_id"] for line in base["lines"]],
                "bill_ids": [b["bill_id"] for b in bills], **row}

    @tool(phrase=["show the[ last {limit}] bills of {customer_id}", "list the bills of {customer_id}"])
    def list_bills(self, customer_id: CustomerId, limit: Annotated[int, Field(ge=1, le=24)] = 12) -> Bills:
        """List a customer's bills, newest first, with status paid, due or overdue.

        Args:
            customer_id: The customer's id.
            limit: At most this many bills.
        """
        self._customer(customer_id)
        bills = self.rows("SELECT * FROM bills WHERE customer_id = ? ORDER BY issue_date DESC LIMIT ?",
                          customer_id, limit)
        return {"bills": [self._bill(b) for b in bills]}

    @tool(phrase=["check the data usage of {line_id}", "see how much data is left on {line_id}"])
    def get_usage(self, customer_id: CustomerId, line_id: LineId) -> Usage:
        """Get a line's data use in the current cycle: plan allowance, extra data bought, what is left, cycle end.

        Args:
            customer_id: The customer's id.
            line_id: One of the customer's lines.
        """
        line = self._line(customer_id, line_id)
        left = round(max(0.0, line["data_limit_gb"] + line["data_refueling_gb"] - line["data_used_gb"]), 2)
        return {"line_id": line_id, "phone_number": line["phone_number"], "plan_name": line["plan_name"],
                "status": line["status"], "roaming_enabled": bool(line["roaming_enabled"]),
                "data_used_gb": line["data_used_gb"], "data_limit_gb": line["data_limit_gb"],
                "data_refueling_gb": line["data_refueling_gb"], "data_remaining_gb": left,
                "cycle_end_date": line["cycle_end_date"]}

    @tool(writes=True, phrase=["suspend {line_id} because of {reason}", "put {line_id} on hold ({reason})"])
    def suspend_line(self, customer_id: CustomerId, line_id: LineId, reason: SUSPEND_REASONS) -> Suspension:
        """Suspend an active line (no calls, texts or data; roaming is switched off).

        Args:
            customer_id: The customer's id.
            line_id: The line to suspend.
            reason: Why the customer suspends it.
        """
        line = self._line(customer_id, line_id)
        if line["status"] == "suspended":
            raise ToolError(f"line '{line_id}' is already suspended (since {line['suspension_start_date']})")
        start = self.now().date().isoformat()
        self.execute("UPDATE lines SET status = 'suspended', roaming_enabled = 0, suspension_start_date = ?,"
                     " suspension_reason = ? WHERE line_id = ?", start, reason, line_id)
        return {"line_id": line_id, "status": "suspended", "suspension_start_date": start, "reason": reason,
                "roaming_enabled": False}

    @tool(writes=True, phrase=["reactivate {line_id}", "resume service on {line_id}"])
    def resume_line(self, customer_id: CustomerId, line_id: LineId) -> LineStatus:
        """Resume a suspended line; not possible while the customer has an overdue bill.

        Args:
            customer_id: The customer's id.
            line_id: The line to resume.
        """
        line = self._line(customer_id, line_id)
        if line["status"] != "suspended":
            raise ToolError(f"line '{line_id}' is not suspended")
        if bill := self._overdue(customer_id):
            raise ToolError(f"customer '{customer_id}' has overdue bill '{bill['bill_id']}' "
                            f"({bill['amount_cents'] / 100:.2f} USD, due {bill['due_date']}); it must be paid before "
                            "the line can be resumed (send_payment_request sends the customer a payment link)")
        self.execute("UPDATE lines SET status = 'active', suspension_start_date = NULL, suspension_reason = NULL"
                     " WHERE line_id = ?", line_id)
        return {"line_id": line_id, "status": "active"}

    @tool(writes=True, phrase=["turn on roaming for {line_id}", "enable international roaming on {line_id}"])
    def enable_roaming(self, customer_id: CustomerId, line_id: LineId) -> Roaming:
        """Switch roaming on for an active line whose plan includes roaming.

        Args:
            customer_id: The customer's id.
            line_id: The line.
        """
        line = self._line(customer_id, line_id)
        if line["status"] != "active":
            raise ToolError(f"line '{line_id}' is suspended; resume it before enabling roaming")
        if not line["roaming_allowed"]:
            raise ToolError(f"the plan '{line['plan_name']}' of line '{line_id}' does not include roaming; "
                            "the customer needs a plan with roaming")
        if line["roaming_enabled"]:
            raise ToolError(f"roaming is already enabled on line '{line_id}'")
        self.execute("UPDATE lines SET roaming_enabled = 1 WHERE line_id = ?", line_id)
        return {"line_id": line_id, "roaming_enabled": True}

    @tool(writes=True, phrase=["turn off roaming for {line_id}", "disable roaming on {line_id}"])
    def disable_roaming(self, customer_id: CustomerId, line_id: LineId) -> Roaming:
        """Switch roaming off for a line.

        Args:
            customer_id: The customer's id.
            line_id: The line.
        """
        if not self._line(customer_id, line_id)["roaming_enabled"]:
            raise ToolError(f"roaming is already disabled on line '{line_id}'")
        self.execute("UPDATE lines SET roaming_enabled = 0 WHERE line_id = ?", line_id)
        return {"line_id": line_id, "roaming_enabled": False}

    @tool(writes=True, phrase=["add {gb_amount} GB of data to {line_id}", "top up {line_id} with {gb_amount} GB"])
    def refuel_data(self, customer_id: CustomerId, line_id: LineId,
                    gb_amount: Annotated[float, Field(ge=0.5, le=30, multiple_of=0.5)]) -> Refuel:
        """Buy extra data for the current cycle of an active line, in steps of 0.5 GB, charged on the next bill
        at the plan's price per GB; each plan caps the extra data per cycle.

        Args:
            customer_id: The customer's id.
            line_id: The line.
            gb_amount: GB to add (0.5 to 30, in steps of 0.5).
        """
        line = self._line(customer_id, line_id)
        if line["status"] != "active":
            raise ToolError(f"line '{line_id}' is suspended; data can only be added to an active line")
        room = line["refuel_cap_gb"] - line["data_refueling_gb"]
        if gb_amount > room:
            raise ToolError(f"the plan '{line['plan_name']}' allows {line['refuel_cap_gb']} GB of extra data per "
                            f"cycle and line '{line_id}' already has {line['data_refueling_gb']:g} GB; "
                            f"at most {max(room, 0):g} GB more")
        charge, total = round(gb_amount * line["refuel_price_cents"]), line["data_refueling_gb"] + gb_amount
        self.execute("UPDATE lines SET data_refueling_gb = ? WHERE line_id = ?", total, line_id)
        self.execute("INSERT INTO refuels (line_id, gb_amount, charge_cents, bought_at) VALUES (?, ?, ?, ?)",
                     line_id, gb_amount, charge,
                     self.now().strftime("%Y-%m-%d %H:%M"))
        return {"line_id": line_id, "gb_added": gb_amount, "new_data_refueling_gb": total,
                "charge_amount": charge / 100, "currency": "USD"}

    @tool(writes=True, phrase=["send a payment link for {bill_id}",
                               "send the customer a payment request for {bill_id}"])
    def send_payment_request(self, customer_id: CustomerId, bill_id: Annotated[str, Field(pattern=r"^B\d{8}$")],
                             ) -> PaymentRequest:
        """Send the customer a payment link (by email) for an unpaid bill; one open request per customer at a time.

        Args:
            customer_id: The customer's id.
            bill_id: The unpaid bill.
        """
        # the customer's email and the bill, in one query
        bill = self.require("SELECT c.email AS _email, b.*"
                            " FROM customers c LEFT JOIN bills b ON b.bill_id = ?1 AND b.customer_id = c.customer_id"
                            " WHERE c.customer_id = ?2", bill_id, customer_id,
                            error=f"no customer with id '{customer_id}'")
        if bill["bill_id"] is None:
            raise ToolError(f"customer '{customer_id}' has no bill '{bill_id}'; list_bills shows their bills")
        email = bill.pop("_email")
        if bill["paid"]:
            raise ToolError(f"bill '{bill_id}' is already paid")
        if open_one := self.row("SELECT bill_id FROM bills WHERE customer_id = ? AND paid = 0 AND "
                                "payment_requested_at IS NOT NULL", customer_id):
            raise ToolError(f"a payment request for bill '{open_one['bill_id']}' is still open; the customer must "
                            "pay it before another request is sent")
        self.execute("UPDATE bills SET payment_requested_at = ? WHERE bill_id = ?",
                     self.now().strftime("%Y-%m-%d %H:%M"), bill_id)
        return {"bill_id": bill_id, "status": "payment_requested", "amount": bill["amount_cents"] / 100,
                "sent_to": email}
