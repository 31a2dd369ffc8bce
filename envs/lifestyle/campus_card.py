"""CampusCard: a university's campus card service: cardholder accounts, balances in CNY, card payments and top-ups."""

from __future__ import annotations

import datetime as dt
import functools
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

TIME_FORMAT = "%Y-%m-%d %H:%M"
STATUS_CODES = {"active": 0, "lost": 1, "frozen": 2}
CHANNELS = {"alipay": "Alipay top-up", "wechat": "WeChat Pay top-up", "bank_card": "Bank card transfer"}
MERCHANTS = {  # kind -> (places, typical price range in yuan)
    "canteen": (["North Canteen", "South Canteen", "Lilac Dining Hall", "Halal Canteen", "Noodle Bar"], (6, 28)),
    "shop": (["Campus Supermarket", "Education Bookstore", "Fruit Stall", "Print Shop"], (3, 60)),
    "library": (["Library Copy Room", "Library Overdue Fines"], (1, 15)),
    "laundry": (["Laundry Room Bldg 3", "Laundry Room Bldg 9"], (3, 8)),
}
SURNAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Ma", "Zhu"]
GIVEN = ["Wei", "Fang", "Min", "Jing", "Lei", "Yan", "Tao", "Hao", "Xin", "Yu", "Jun", "Ling", "Qiang", "Mei", "Bo"]
DEPARTMENTS = ["Computer Science", "Mathematics", "Physics", "Economics", "Chemistry", "Law", "Medicine", "History"]
UserId = Annotated[str, UserKnown, Field(min_length=1, max_length=20)]
Password = Annotated[str, UserKnown, Field(pattern=r"^\d{6}$")]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]

Balance = TypedDict("Balance", {"userId": str, "balance": float, "currency": str})
Transaction = TypedDict("Transaction", {"transactionId": str, "time": str, "type": str, "merchant": str,
                                        "amount": float, "balanceAfter": float})
Transactions = TypedDict("Transactions", {"userId": str, "transactions": list[Transaction]})
BasicInfo = TypedDict("BasicInfo", {"userId": str, "name": str, "role": str, "department": str, "status": int,
                                    "statusText": str, "phone": str, "email": str, "address": str})
Recharge = TypedDict("Recharge", {"userId": str, "success": bool, "amount": float, "balanceAfter": float,
                                  "transactionId": str, "message": str})
InfoUpdate = TypedDict("InfoUpdate", {"userId": str, "success": bool, "updatedFields": list[str], "message": str})
LostReport = TypedDict("LostReport", {"userId": str, "success": bool, "message": str, "status": int})


def yuan(cents: int) -> float:
    return round(cents / 100, 2)


@functools.cache
def _update_info_sql(columns: tuple[str, ...], checked: bool = False) -> str:
    """The UPDATE of a cardholder's contact details that sets these columns (names from trusted code); checked:
    only when the password (?2) is right and no other cardholder has the new email (?3), values from ?4 on."""
    if not checked:
        return f"UPDATE info SET {', '.join(f'{c} = ?' for c in columns)} WHERE holder = ?"
    return (f"UPDATE info SET {', '.join(f'{c} = ?{i}' for i, c in enumerate(columns, 4))} WHERE holder = ?1 AND "
            "EXISTS (SELECT 1 FROM cardholders WHERE userId = ?1 AND password = ?2) AND "
            "NOT EXISTS (SELECT 1 FROM info o WHERE o.email = ?3 AND o.holder != ?1)")


class CampusCard(World):
    """Campus card accounts of students and staff: balance, card transactions, top-ups, contact details and
    loss reports. Amounts are in yuan (CNY); a card's status is 0 active, 1 lost or 2 frozen."""

    domain = "Lifestyle"
    schema = """
    CREATE TABLE cardholders (userId TEXT PRIMARY KEY, password TEXT NOT NULL, name TEXT NOT NULL,
                              role TEXT NOT NULL, department TEXT NOT NULL, balance_cents INTEGER NOT NULL,
                              card_status TEXT NOT NULL CHECK (card_status IN ('active', 'lost', 'frozen')));
    -- contact details the cardholder maintains (update_info), apart from the registrar's record above
    CREATE TABLE info (holder TEXT PRIMARY KEY REFERENCES cardholders, phone TEXT NOT NULL,
                       email TEXT NOT NULL UNIQUE, address TEXT NOT NULL);
    CREATE TABLE transactions (transactionId TEXT PRIMARY KEY, userId TEXT NOT NULL REFERENCES cardholders,
                               time TEXT NOT NULL, type TEXT NOT NULL, merchant TEXT NOT NULL, amount REAL NOT NULL,
                               balanceAfter REAL NOT NULL);
    CREATE INDEX transactions_by_user ON transactions (userId, time);
    """
    volatile = {"transactions": ("time",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        holders, infos, rows = {}, [], []
        end, statuses = cls.start_time.replace(hour=0), rng.sample(["active"] * 30 + ["lost"] * 3 + ["frozen"] * 3, 36)
        while len(holders) < 36:
            staff = len(holders) % 6 == 5
            user_id = (f"{rng.randrange(1995, 2021)}{rng.randrange(10**5):05d}" if staff
                       else f"{rng.randrange(2021, 2026)}{rng.randrange(1, 9):02d}{rng.randrange(10**4):04d}")
            if user_id in holders:
                continue
            given, surname = rng.choice(GIVEN) + rng.choice(["", *GIVEN]).lower(), rng.choice(SURNAMES)
            balance = rng.randrange(0, 30000)
            times = sorted(fake.date_time_between(end - dt.timedelta(days=28), end) 
                           for _ in range(rng.randrange(12, 50)))
            for at in (t.replace(hour=rng.randrange(7, 22)) for t in times):
                kind = rng.choices(list(MERCHANTS), weights=[10, 4, 1, 2])[0]
                (low, high), place = MERCHANTS[kind][1], rng.choice(MERCHANTS[kind][0])
                cost = rng.randrange(low * 10, high * 10) * 10
                for entry in ([("recharge", rng.choice(list(CHANNELS.values())), rng.choice([5000, 10000, 20000]))]
                              if cost > balance else []) + [(kind, place, -cost)]:
                    balance += entry[2]
                    rows.append({"transactionId": fake_id(rng, "txn_"), "userId": user_id, "type": entry[0],
                                 "time": (at - dt.timedelta(minutes=5 * (entry[2] > 0))).strftime(TIME_FORMAT),
                                 "merchant": entry[1], "amount": yuan(abs(entry[2])), "balanceAfter": yuan(balance)})
            holders[user_id] = {"userId": user_id, "password": f"{rng.randrange(10**6):06d}",
                                "name": f"{given} {surname}", "role": "staff" if staff else "student",
                                "department": rng.choice(DEPARTMENTS), "balance_cents": balance,
                                "card_status": statuses[len(holders)]}
            address = (f"Faculty Housing Block {rng.randrange(1, 8)}, Apt {rng.randrange(101, 1202)}" if staff else
                       f"Dorm {rng.randrange(1, 15)}-{rng.randrange(101, 620)}, {rng.choice(['East', 'West'])} Campus")
            infos.append({"holder": user_id, "phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                          "email": f"{given.lower()}.{surname.lower()}{len(holders)}@"
                                   f"{'staff' if staff else 'stu'}.campus.edu.cn", "address": address})
        db["cardholders"].insert_all(holders.values())
        db["info"].insert_all(infos)
        db["transactions"].insert_all(rows)

    def _holder(self, user_id: str, password: str | None = None) -> dict[str, Any]:
        holder = self.require("SELECT * FROM cardholders WHERE userId = ?", user_id,
                              error=f"no campus card account with userId '{user_id}'")
        if password is not None and holder["password"] != password:
            raise ToolError(f"wrong password for campus card account '{user_id}'")
        return holder

    @tool(phrase=["check the balance on campus card account {userId}",
                  "find out how much money is left on the campus card of {userId}"])
    def query_balance(self, userId: UserId) -> Balance:
        """Get the current balance of a campus card account (currency CNY).

        Args:
            userId: The cardholder's student or staff number.
        """
        return {"userId": userId, "balance": yuan(self._holder(userId)["balance_cents"]), "currency": "CNY"}

    @tool(phrase=["show the card transactions of account {userId}[ from {startDate}][ up to {endDate}]",
                  "list what happened on the campus card of {userId}[ since {startDate}][ until {endDate}]"])
    def query_transactions(self, userId: UserId, startDate: Day | None = None,
                           endDate: Day | None = None) -> Transactions:
        """List a campus card's transactions (payments and top-ups), newest first.

        Args:
            userId: The cardholder's student or staff number.
            startDate: Only transactions on or after this day (YYYY-MM-DD).
            endDate: Only transactions on or before this day (YYYY-MM-DD).
        """
        self._holder(userId)
        if startDate and endDate and endDate < startDate:
            raise ToolError("endDate must not be before startDate")
        return {"userId": userId, "transactions": self.rows(
            "SELECT transactionId, time, type, merchant, amount, balanceAfter FROM transactions WHERE userId = ?1"
            " AND (?2 IS NULL OR substr(time, 1, 10) >= ?2) AND (?3 IS NULL OR substr(time, 1, 10) <= ?3)"
            " ORDER BY time DESC, transactionId", userId, startDate, endDate)}

    @tool(phrase=["look up the cardholder details of account {userId} (password {password})",
                  "pull up the basic info of campus card {userId} with password {password}"])
    def query_basic_info(self, userId: UserId, password: Password) -> BasicInfo:
        """Get a cardholder's name, role, department, card status and contact details (needs the card password).

        Args:
            userId: The cardholder's student or staff number.
            password: The card's six-digit password.
        """
        holder = self._holder(userId, password)
        info = self.row("SELECT phone, email, address FROM info WHERE holder = ?", userId)
        return {"userId": userId, "name": holder["name"], "role": holder["role"], "department": holder["department"],
                "status": STATUS_CODES[holder["card_status"]], "statusText": holder["card_status"], **info}

    @tool(writes=True, phrase=["top up campus card {userId} with {amount} yuan via {paymentMethod}",
                               "add {amount} yuan to the campus card of {userId}, paying with {paymentMethod}"])
    def recharge(self, userId: UserId, amount: Annotated[float, Field(ge=1, le=1000)],
                 paymentMethod: Literal["alipay", "wechat", "bank_card"]) -> Recharge:
        """Top up a campus card account; one top-up is 1 to 1000 yuan. Lost or frozen cards cannot be topped up.

        Args:
            userId: The cardholder's student or staff number.
            amount: Yuan to add, 1-1000.
            paymentMethod: Where the money comes from.
        """
        holder = self.row("SELECT card_status, balance_cents FROM cardholders "
                          "WHERE userId = ?", userId)
        if holder is None:
            self._holder(userId)
        if holder["card_status"] != "active":
            raise ToolError(f"the campus card of '{userId}' is {holder['card_status']} and cannot be recharged")
        cents, txn = round(amount * 100), self.new_id("transactions", "txn_")
        balance = holder["balance_cents"] + cents
        self.execute("UPDATE cardholders SET balance_cents = ? WHERE userId = ?", balance, userId)
        self.execute("INSERT INTO transactions VALUES (?, ?, ?, 'recharge', ?, ?, ?)", txn, userId,
                     self.now().strftime(TIME_FORMAT), CHANNELS[paymentMethod], yuan(cents), yuan(balance))
        return {"userId": userId, "success": True, "amount": yuan(cents), "balanceAfter": yuan(balance),
                "transactionId": txn, "message": f"recharged {yuan(cents):.2f} CNY via {paymentMethod}"}

    @tool(writes=True, phrase=[
        "change the phone number on campus card account {userId} to {phone}; the password is {password}",
        "change the email of campus card account {userId} to {email} (password {password})",
        "update the contact details of campus card account {userId} (password {password})"
        "[, phone {phone}][, email {email}][, address {address}]",
    ])
    def update_info(self, userId: UserId, password: Password,
                    phone: Annotated[str, Field(pattern=r"^1\d{10}$")] | None = None,
                    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None,
                    address: NonEmptyStr | None = None) -> InfoUpdate:
        """Change a cardholder's phone, email or address (needs the card password); give at least one of them.

        Args:
            userId: The cardholder's student or staff number.
            password: The card's six-digit password.
            phone: New mobile number, 11 digits starting with 1.
            email: New email address.
            address: New postal or dormitory address.
        """
        changes = {k: v.strip() for k, v in (("phone", phone), ("email", email), ("address", address)) if v}
        # One statement when the password is right and the new email nobody else's; otherwise the checks below
        # say why not (and update nothing more than the original statement would).
        if changes and self.execute(_update_info_sql(tuple(changes), checked=True), userId, password,
                                    changes.get("email") if email else None, *changes.values()):
            return {"userId": userId, "success": True, "updatedFields": list(changes),
                    "message": f"updated {', '.join(changes)}"}
        # The password and whether the new email is another cardholder's, in one query.
        holder = self.row("SELECT password, EXISTS (SELECT 1 FROM info WHERE email = ?2 AND holder != ?1) AS taken "
                          "FROM cardholders WHERE userId = ?1", userId, changes.get("email") if email else None)
        if holder is None or holder["password"] != password:
            self._holder(userId, password)
        if not changes:
            raise ToolError("give at least one of phone, email or address to update")
        if email and holder["taken"]:
            raise ToolError(f"email '{changes['email']}' is already used by another cardholder")
        self.execute(_update_info_sql(tuple(changes)), *changes.values(), userId)
        return {"userId": userId, "success": True, "updatedFields": list(changes),
                "message": f"updated {', '.join(changes)}"}

    @tool(writes=True, phrase=["report campus card {userId} as lost (password {password})",
                               "block the lost campus card {userId} using password {password}"])
    def lostCard(self, userId: UserId, password: Password) -> LostReport:
        """Report a campus card lost so nobody can pay with it or top it up (needs the card password).

        Args:
            userId: The cardholder's student or staff number.
            password: The card's six-digit password.
        """
        # One statement when the password is right and the card not yet lost; otherwise the checks say why not.
        if not self.execute("UPDATE cardholders SET card_status = 'lost' WHERE userId = ? AND password = ? AND "
                            "card_status != 'lost'", userId, password):
            if self._holder(userId, password)["card_status"] == "lost":
                raise ToolError(f"the campus card of '{userId}' is already reported lost")
        return {"userId": userId, "success": True, "message": "card reported lost", "status": STATUS_CODES["lost"]}
