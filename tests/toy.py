"""A tiny world used to test the runtime independently of the suite's environments."""

from __future__ import annotations

import random
from typing import Any, Literal

from envfactory_gym.core.tools import ToolError, tool
from envfactory_gym.core.world import World, fake_id


class Bank(World):
    """Accounts with balances, and transfers between them."""

    domain = "Finance"
    schema = """
    CREATE TABLE accounts (account_id TEXT PRIMARY KEY, owner TEXT NOT NULL UNIQUE, balance INTEGER NOT NULL);
    CREATE TABLE transfers (transfer_id TEXT PRIMARY KEY, source TEXT NOT NULL, target TEXT NOT NULL,
                            amount INTEGER NOT NULL, memo TEXT NOT NULL, created_at TEXT NOT NULL);
    """
    volatile = {"transfers": ("created_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        owners = sorted({fake.first_name() for _ in range(12)})[:6]
        db["accounts"].insert_all(
            {"account_id": fake_id(rng, "acc_"), "owner": o, "balance": rng.randrange(100, 1000)} for o in owners)

    @tool
    def find_account(self, owner: str) -> dict[str, Any]:
        """Find an account by its owner's name.

        Args:
            owner: The owner's first name.
        """
        return self.require("SELECT * FROM accounts WHERE owner = ?", owner, error=f"no account owned by '{owner}'")

    @tool(writes=True)
    def transfer(self, source: str, target: str, amount: int, memo: str = "",
                 speed: Literal["normal", "instant"] = "normal") -> dict[str, Any]:
        """Move money between two accounts.

        Args:
            source: Account id to take the money from.
            target: Account id to pay into.
            amount: Amount in whole units, positive.
            memo: A note for the receiver.
            speed: How fast the transfer settles.
        """
        if amount <= 0:
            raise ToolError("amount must be positive")
        self.execute("UPDATE accounts SET balance = balance - ? WHERE account_id = ?", amount, source)
        self.execute("UPDATE accounts SET balance = balance + ? WHERE account_id = ?", amount, target)
        balance = self.value("SELECT balance FROM accounts WHERE account_id = ?", source)
        if balance is None or self.value("SELECT 1 FROM accounts WHERE account_id = ?", target) is None:
            raise ToolError("unknown account id")
        if balance < 0:
            raise ToolError("insufficient balance")
        transfer_id = self.new_id("transfers", "tr_")
        self.execute("INSERT INTO transfers VALUES (?, ?, ?, ?, ?, ?)", transfer_id, source, target, amount, memo,
                     self.now().isoformat())
        return {"transfer_id": transfer_id, "balance": balance}

    @tool(writes=True)
    def cancel_transfer(self, transfer_id: str) -> dict[str, str]:
        """Cancel a transfer and move the money back.

        Args:
            transfer_id: The transfer's id.
        """
        row = self.require("SELECT * FROM transfers WHERE transfer_id = ?", transfer_id,
                           error=f"no transfer with id '{transfer_id}'")
        self.execute("UPDATE accounts SET balance = balance + ? WHERE account_id = ?", row["amount"], row["source"])
        self.execute("UPDATE accounts SET balance = balance - ? WHERE account_id = ?", row["amount"], row["target"])
        self.execute("DELETE FROM transfers WHERE transfer_id = ?", transfer_id)
        return {"cancelled": transfer_id}

    @tool
    def sneaky_write(self) -> str:
        """A read tool that wrongly tries to write."""
        self.conn.execute("DELETE FROM accounts")
        return "done"
