"""TradingBot: a retail brokerage account: session, cash, stock quotes, limit orders, watchlist and price alerts."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
OPEN_AT, CLOSE_AT = dt.time(9, 30), dt.time(16, 0)
#: sector -> (symbol, company, typical price in dollars)
LISTINGS = {
    "Technology": [("AAPL", "Apple", 228), ("GOOGL", "Google", 176), ("MSFT", "Microsoft", 415), ("NVDA", "Nvidia", 121),
                   ("AMZN", "Amazon", 186), ("ZETA", "Zeta Corp", 18), ("ALPH", "Alpha Tech", 54),
                   ("NPSY", "Neptune Systems", 37), ("SYNX", "Synex Solutions", 72), ("ORCL", "Oracle", 139)],
    "Automobile": [("TSLA", "Tesla", 248), ("F", "Ford Motor", 11), ("GM", "General Motors", 47), ("RIVN", "Rivian", 13),
                   ("TM", "Toyota Motor", 182), ("HMC", "Honda Motor", 31)],
    "Finance": [("JPM", "JPMorgan Chase", 212), ("BAC", "Bank of America", 39), ("GS", "Goldman Sachs", 498),
                ("V", "Visa", 281), ("QSR", "Quasar Ltd.", 26), ("MS", "Morgan Stanley", 104)],
    "Healthcare": [("JNJ", "Johnson & Johnson", 158), ("PFE", "Pfizer", 28), ("UNH", "UnitedHealth Group", 566),
                   ("MRNA", "Moderna", 64), ("ABBV", "AbbVie", 190)],
    "Energy": [("XOM", "Exxon Mobil", 117), ("CVX", "Chevron", 151), ("OMGA", "Omega Industries", 45),
               ("NEE", "NextEra Energy", 79), ("ENPH", "Enphase Energy", 98)],
}
Symbol = Annotated[str, Field(pattern=r"^\s*[A-Za-z.]{1,6}\s*$")]
Money = Annotated[float, Field(gt=0, le=1_000_000)]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
OrderStatus = Literal["Open", "Pending", "Completed", "Cancelled"]

Login = TypedDict("Login", {"status": str, "session_token": str})
Status = TypedDict("Status", {"status": str})
LoginState = TypedDict("LoginState", {"is_authenticated": bool, "username": str | None})
Market = TypedDict("Market", {"status": Literal["Open", "Closed"], "current_time": str})
Account = TypedDict("Account", {"account_id": int, "balance": float, "buying_power": float, "binding_card": int,
                                "currency": str})
Txn = TypedDict("Txn", {"transaction_id": int, "type": str, "amount": float, "balance_after": float,
                        "timestamp": str})
TxnResult = TypedDict("TxnResult", {"status": str, "transaction_id": int, "new_balance": float, "timestamp": str})
Transactions = TypedDict("Transactions", {"transactions": list[Txn]})
SymbolMatch = TypedDict("SymbolMatch", {"symbol": str, "company_name": str})
StockInfo = TypedDict("StockInfo", {"symbol": str, "company_name": str, "sector": str, "price": float,
                                    "percent_change": float, "volume": int, "ma_5": float, "ma_20": float,
                                    "trading_halted": bool})
Symbols = TypedDict("Symbols", {"symbols": list[str]})
Filtered = TypedDict("Filtered", {"filtered_symbols": list[str]})
Order = TypedDict("Order", {"order_id": int, "order_type": Literal["Buy", "Sell"], "symbol": str, "price": float,
                            "quantity": int, "status": OrderStatus, "timestamp": str,
                            "execution_price": float | None})
Orders = TypedDict("Orders", {"orders": list[Order]})
Cancelled = TypedDict("Cancelled", {"order_id": int, "status": Literal["Cancelled"], "message": str})
Position = TypedDict("Position", {"symbol": str, "quantity": int, "average_cost": float, "price": float,
                                  "market_value": float})
Positions = TypedDict("Positions", {"positions": list[Position]})
Watchlist = TypedDict("Watchlist", {"watchlist_symbols": list[str]})
WatchChange = TypedDict("WatchChange", {"status": str, "symbol": str, "watchlist": list[str]})
Move = TypedDict("Move", {"symbol": str, "price": float, "percent_change": float})
Alert = TypedDict("Alert", {"notification": str, "changed_stocks": list[str], "details": list[Move]})
PriceUpdate = TypedDict("PriceUpdate", {"symbol": str, "old_price": float, "new_price": float,
                                        "percent_change": float, "filled_orders": list[int]})


#: Whether a session is active, as a column (what :meth:`TradingBot._account` checks first).
LOGGED_IN = "EXISTS (SELECT 1 FROM sessions WHERE active = 1) AS loggedIn"
#: Cash (cents) reserved by Open and Pending Buy orders, as a subquery (what :meth:`TradingBot._reserved` counts).
RESERVED_BUY = ("(SELECT COALESCE(SUM(CAST(ROUND(price * 100) AS INTEGER) * quantity), 0) FROM orders"
                " WHERE status IN ('Open', 'Pending') AND order_type = 'Buy')")
#: Shares of ``s.symbol`` reserved by Open and Pending Sell orders, as a subquery.
RESERVED_SELL = ("(SELECT COALESCE(SUM(quantity), 0) FROM orders WHERE status IN ('Open', 'Pending')"
                 " AND order_type = 'Sell' AND symbol = s.symbol)")


def dollars(cents: int) -> float:
    return round(cents / 100, 2)


def change(price: float, previous: float) -> float:
    return round((price - previous) / previous * 100, 2)


class TradingBot(World):
    """The user's brokerage account (USD): a login session, cash deposits and withdrawals from the linked bank
    card, stock quotes by sector, limit orders (a Buy at or above the quote fills at once, otherwise it stays Open
    and reserves cash; a Sell needs shares), positions, a watchlist and price-move alerts. Orders can only be
    placed while the market is open (09:30-16:00 ET, Monday to Friday)."""

    domain = "Finance"
    start_time = dt.datetime(2026, 3, 3, 10, 30)
    schema = """
    CREATE TABLE account (account_id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, password TEXT NOT NULL,
                          balance_cents INTEGER NOT NULL CHECK (balance_cents >= 0), binding_card INTEGER NOT NULL,
                          currency TEXT NOT NULL);
    CREATE TABLE sessions (session_token TEXT PRIMARY KEY, username TEXT NOT NULL, active INTEGER NOT NULL);
    CREATE TABLE listings (symbol TEXT PRIMARY KEY, company_name TEXT NOT NULL, sector TEXT NOT NULL,
                         price REAL NOT NULL, prev_close REAL NOT NULL, volume INTEGER NOT NULL, ma_5 REAL NOT NULL,
                         ma_20 REAL NOT NULL, halted INTEGER NOT NULL);
    CREATE INDEX stocks_by_sector ON listings (sector, symbol);
    CREATE TABLE positions (symbol TEXT PRIMARY KEY REFERENCES listings, quantity INTEGER NOT NULL,
                            average_cost REAL NOT NULL);
    CREATE TABLE orders (order_id INTEGER PRIMARY KEY, order_type TEXT NOT NULL, symbol TEXT NOT NULL REFERENCES listings,
                         price REAL NOT NULL, quantity INTEGER NOT NULL, status TEXT NOT NULL, timestamp TEXT NOT NULL,
                         execution_price REAL);
    CREATE INDEX orders_by_status ON orders (status, symbol);
    CREATE INDEX orders_by_symbol ON orders (symbol, timestamp);
    CREATE INDEX orders_reserving ON orders (order_type, symbol, price, quantity) WHERE status IN ('Open', 'Pending');
    CREATE TABLE transactions (transaction_id INTEGER PRIMARY KEY, type TEXT NOT NULL, amount REAL NOT NULL,
                               balance_after REAL NOT NULL, timestamp TEXT NOT NULL);
    CREATE INDEX transactions_by_time ON transactions (timestamp);
    CREATE TABLE watchlist (ticker TEXT PRIMARY KEY REFERENCES listings, added_at TEXT NOT NULL);
    """
    volatile = {"orders": ("timestamp",), "transactions": ("timestamp",), "watchlist": ("added_at",)}
    ungraded = ("sessions",)
    text_search = {"listings": ("company_name",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        stocks = []
        for sector, listed in LISTINGS.items():
            for symbol, company, typical in listed:
                closes = [typical * rng.uniform(0.85, 1.15)]
                for _ in range(20):
                    closes.append(closes[-1] * rng.uniform(0.96, 1.04))
                price = round(closes[-1] * rng.uniform(0.93, 1.07), 2)
                stocks.append({"symbol": symbol, "company_name": company, "sector": sector, "price": price,
                               "prev_close": round(closes[-1], 2), "volume": rng.randrange(2, 900) * 10_000 + 3,
                               "ma_5": round(sum(closes[-5:]) / 5, 2), "ma_20": round(sum(closes[-20:]) / 20, 2),
                               "halted": int(rng.random() < 0.08)})
        db["listings"].insert_all(stocks)
        username = f"{fake.first_name().lower()}{rng.randrange(10, 99)}"
        db["account"].insert({"account_id": rng.randrange(10**7, 10**8), "username": username,
                              "password": fake.password(length=10, special_chars=False),
                              "balance_cents": 0, "binding_card": int(f"4{rng.randrange(10**15):015d}"),
                              "currency": "USD"})
        db["sessions"].insert({"session_token": f"sess_{rng.getrandbits(40):010x}", "username": username, "active": 1})
        held = rng.sample(stocks, 9)
        db["positions"].insert_all({"symbol": s["symbol"], "quantity": rng.randrange(10, 120),
                                    "average_cost": round(s["price"] * rng.uniform(0.7, 1.2), 2)} for s in held)
        balance, txns = 0, []
        for when in sorted(cls.days_before_start(rng, 1, 120) for _ in range(rng.randrange(24, 36))):
            amount = rng.choice([500, 1000, 2000, 2500, 5000, 10000]) * 100 + rng.randrange(0, 2) * 5_000
            kind = "withdrawal" if balance > amount * 2 and rng.random() < 0.3 else "deposit"
            balance += amount if kind == "deposit" else -amount
            txns.append({"type": kind, "amount": dollars(amount), "balance_after": dollars(balance),
                         "timestamp": f"{when} {rng.randrange(8, 21):02d}:{rng.randrange(60):02d}:00"})
        db["transactions"].insert_all({"transaction_id": 50_001 + i, **t} for i, t in enumerate(txns))
        orders, order_id = [], rng.randrange(7_000_000, 8_000_000)
        for _ in range(rng.randrange(50, 70)):
            stock = rng.choice(stocks)
            order_id += rng.randrange(1, 40)
            side = rng.choice(["Buy", "Buy", "Sell"])
            status = rng.choices(["Completed", "Cancelled", "Open", "Pending"], weights=[12, 3, 4, 2])[0]
            if status in ("Open", "Pending") and side == "Sell" and stock["symbol"] not in {h["symbol"] for h in held}:
                side = "Buy"
            limit = stock["price"] * (rng.uniform(0.8, 0.97) if side == "Buy" else rng.uniform(1.03, 1.2))
            when = cls.days_before_start(rng, 0 if status in ("Open", "Pending") else 1, 90)
            orders.append({"order_id": order_id, "order_type": side, "symbol": stock["symbol"],
                           "price": round(limit if status != "Completed" else stock["price"] * rng.uniform(0.8, 1.2), 2),
                           "quantity": rng.randrange(1, 40) if status in ("Completed", "Cancelled") else rng.randrange(1, 5),
                           "status": status, "timestamp": f"{when} {rng.randrange(10, 16):02d}:{rng.randrange(60):02d}:00",
                           "execution_price": None})
            if status == "Completed":
                orders[-1]["execution_price"] = orders[-1]["price"]
        db["orders"].insert_all(orders)
        reserved = sum(round(o["price"] * 100) * o["quantity"] for o in orders if o["status"] in ("Open", "Pending")
                       and o["order_type"] == "Buy")
        db.execute("UPDATE account SET balance_cents = ?", [balance + reserved + rng.randrange(10**5, 10**6)])
        db["watchlist"].insert_all({"ticker": s["symbol"], "added_at": f"{cls.days_before_start(rng, 1, 60)} 12:00:00"}
                                   for s in rng.sample(stocks, 6))

    # ------------------------------------------------------------------ helpers
    def _account(self) -> dict[str, Any]:
        if not self.value("SELECT 1 FROM sessions WHERE active = 1"):
            raise ToolError("you are not logged in; call login with your username and password first")
        return self.row("SELECT * FROM account")

    def _logged_in(self, found: dict[str, Any]) -> None:
        """:meth:`_account`'s check, on a row that looked up ``loggedIn`` (:data:`LOGGED_IN`) with what the tool
        needs."""
        if not found["loggedIn"]:
            self._account()  # raises its error

    def _stock(self, symbol: str) -> dict[str, Any]:
        return self.require("SELECT * FROM listings WHERE symbol = ?", symbol.strip().upper(),
                            error=f"no stock with symbol '{symbol.strip().upper()}'; get_stock_symbol finds a"
                                  " company's symbol")

    def _market_open(self) -> bool:
        now = self.now()
        return now.weekday() < 5 and OPEN_AT <= now.time() < CLOSE_AT

    def _reserved(self, side: str, symbol: str | None = None) -> int:
        """Cash (cents, for Buy) or shares (for Sell) held by Open and Pending orders."""
        what = "CAST(ROUND(price * 100) AS INTEGER) * quantity" if side == "Buy" else "quantity"
        return self.value(f"SELECT COALESCE(SUM({what}), 0) FROM orders WHERE status IN ('Open', 'Pending')"
                          " AND order_type = ? AND (?2 IS NULL OR symbol = ?2)", side, symbol)

    def _fill(self, order: dict[str, Any], at: float, held: Any = False, mark: bool = True) -> None:
        """Fill ``order`` at ``at``: cash, position and (``mark``) the order's status. ``held``: the position's
        quantity and average_cost when the caller already read them (None: no position)."""
        cost, qty = round(at * 100) * order["quantity"], order["quantity"]
        if held is False:
            held = self.row("SELECT * FROM positions WHERE symbol = ?", order["symbol"])
        if order["order_type"] == "Buy":
            self.execute("UPDATE account SET balance_cents = balance_cents - ?", cost)
            if held:
                average = round((held["average_cost"] * held["quantity"] + at * qty) / (held["quantity"] + qty), 2)
                self.execute("UPDATE positions SET quantity = quantity + ?, average_cost = ? WHERE symbol = ?",
                             qty, average, order["symbol"])
            else:
                self.execute("INSERT INTO positions VALUES (?, ?, ?)", order["symbol"], qty, at)
        else:
            self.execute("UPDATE account SET balance_cents = balance_cents + ?", cost)
            if held["quantity"] == qty:
                self.execute("DELETE FROM positions WHERE symbol = ?", order["symbol"])
            else:
                self.execute("UPDATE positions SET quantity = quantity - ? WHERE symbol = ?", qty, order["symbol"])
        if mark:
            self.execute("UPDATE orders SET status = 'Completed', execution_price = ? WHERE order_id = ?",
                         at, order["order_id"])

    def _order(self, order_id: int) -> Order:
        self._account()
        return self.require("SELECT * FROM orders WHERE order_id = ?", order_id,
                            error=f"no order {order_id} in this account; get_order_history lists your orders")

    def _watchlist(self) -> list[str]:
        """The symbols on the watchlist, in order."""
        return [r["ticker"] for r in self.rows("SELECT ticker FROM watchlist ORDER BY ticker")]

    # ------------------------------------------------------------------ session and market
    @tool(writes=True, phrase=["log in as {username} with password {password}",
                               "sign in to my brokerage account ({username} / {password})"])
    def login(self, username: Annotated[str, UserKnown, Field(min_length=1, max_length=40)],
              password: Annotated[str, UserKnown, Field(min_length=1, max_length=64)]) -> Login:
        """Log in to the brokerage account (replaces any current session).

        Args:
            username: The account's username.
            password: The account's password.
        """
        account = self.row("SELECT * FROM account WHERE username = ?", username.strip())
        if account is None or account["password"] != password:
            raise ToolError("wrong username or password")
        token = self.new_id("sessions", "sess_")
        self.execute("UPDATE sessions SET active = 0")
        self.execute("INSERT INTO sessions VALUES (?, ?, 1)", token, account["username"])
        return {"status": "Logged in", "session_token": token}

    @tool(writes=True, phrase=["log me out of the trading app", "sign out of my brokerage account"])
    def logout(self) -> Status:
        """End the current session."""
        if not self.execute("UPDATE sessions SET active = 0 WHERE active = 1"):
            raise ToolError("you are not logged in")
        return {"status": "Logged out"}

    @tool(phrase=["check whether I am still logged in to the trading app"])
    def check_login_status(self) -> LoginState:
        """Whether a session is active, and for which user."""
        user = self.value("SELECT username FROM sessions WHERE active = 1")
        return {"is_authenticated": user is not None, "username": user}

    @tool(phrase=["check whether the stock market is open right now"])
    def get_market_status(self) -> Market:
        """Whether the market is open (09:30-16:00 ET, Monday to Friday) and the current time."""
        return {"status": "Open" if self._market_open() else "Closed", "current_time": self.clock_text(TIME_FORMAT)}

    # ------------------------------------------------------------------ cash
    @tool(phrase=["check how much cash is in my brokerage account", "find out my buying power"])
    def get_account_info(self) -> Account:
        """The account's number, cash balance, buying power (cash not reserved by open buy orders), linked card."""
        account = self._account()
        return {"account_id": account["account_id"], "balance": dollars(account["balance_cents"]),
                "buying_power": dollars(account["balance_cents"] - self._reserved("Buy")),
                "binding_card": account["binding_card"], "currency": account["currency"]}

    @tool(writes=True, phrase=["make a ${amount} {transaction_type} on my brokerage account",
                               "move ${amount} between my bank card and the trading account (a {transaction_type})"])
    def make_transaction(self, transaction_type: Literal["deposit", "withdrawal"],
                         amount: Annotated[float, Field(ge=1, le=50_000)]) -> TxnResult:
        """Deposit cash from the linked card or withdraw it to the card; 1 to 50,000 USD per transaction. A
        withdrawal cannot touch cash reserved by open buy orders.

        Args:
            transaction_type: deposit or withdrawal.
            amount: Dollars, 1-50000.
        """
        cents = round(amount * 100)
        cents = cents if transaction_type == "deposit" else -cents
        # logged in, and a withdrawal within the unreserved cash: the (one) account row moves in one statement;
        # anything else takes the checks of _transaction_checks, which raise
        balance = self.value("UPDATE account SET balance_cents = balance_cents + ?1 WHERE EXISTS (SELECT 1 FROM"
                             f" sessions WHERE active = 1) AND (?1 >= 0 OR balance_cents - {RESERVED_BUY} >= -?1)"
                             " RETURNING balance_cents", cents)
        if balance is None:
            self.refused(self._transaction_checks, -cents)
        stamp = self.clock_text(TIME_FORMAT)
        txn = self.value("INSERT INTO transactions (type, amount, balance_after, timestamp) VALUES (?, ?, ?, ?)"
                         " RETURNING transaction_id", transaction_type, dollars(abs(cents)), dollars(balance), stamp)
        self.mark_generated("transactions", txn)
        return {"status": "Completed", "transaction_id": txn, "new_balance": dollars(balance), "timestamp": stamp}

    def _transaction_checks(self, withdrawn: int) -> None:
        """make_transaction's checks, in order: logged in, and a withdrawal of ``withdrawn`` cents (a deposit when
        not positive) within the cash not reserved by open buy orders."""
        account = self.row(f"SELECT {LOGGED_IN}, a.*, {RESERVED_BUY} AS reserved FROM (SELECT 1)"
                           " LEFT JOIN account a")  # the one account row
        self._logged_in(account)
        free = account["balance_cents"] - account["reserved"]
        if withdrawn > 0 and withdrawn > free:
            raise ToolError(f"insufficient funds: you can withdraw at most {dollars(free):.2f} USD "
                            "(cash reserved by open buy orders excluded)")

    @tool(phrase=["show my deposits and withdrawals[ from {start_date}][ until {end_date}]"])
    def get_transaction_history(self, start_date: Day | None = None, end_date: Day | None = None) -> Transactions:
        """Cash deposits and withdrawals, newest first, optionally between two days (inclusive).

        Args:
            start_date: First day, YYYY-MM-DD.
            end_date: Last day, YYYY-MM-DD.
        """
        self._account()
        if start_date and end_date and end_date < start_date:
            raise ToolError("end_date must not be before start_date")
        return {"transactions": self.rows(
            "SELECT transaction_id, type, amount, balance_after, timestamp FROM transactions WHERE"
            " (?1 IS NULL OR timestamp >= ?1) AND (?2 IS NULL OR timestamp < date(?2, '+1 day'))"
            " ORDER BY timestamp DESC, transaction_id DESC", start_date, end_date)}

    # ------------------------------------------------------------------ market data
    @tool(phrase=["look up the ticker symbol of {company_name}", "find the stock symbol for {company_name}"])
    def get_stock_symbol(self, company_name: NonEmptyStr) -> SymbolMatch:
        """A listed company's ticker symbol (exact name first, else the first name containing the text).

        Args:
            company_name: The company, e.g. "Tesla".
        """
        matches, params = self.text_filter("listings", company_name)
        found = self.row(f"SELECT symbol, company_name FROM listings WHERE {matches}"
                         " ORDER BY lower(company_name) != lower(?), company_name", *params, company_name.strip())
        if found is None:
            raise ToolError(f"no listed company matches '{company_name.strip()}'")
        return found

    @tool(phrase=["check how {symbol} is trading today", "get me the quote and moving averages for {symbol}"])
    def get_stock_info(self, symbol: Symbol) -> StockInfo:
        """A stock's quote: last price, percent change since the previous close, volume, 5- and 20-day averages.

        Args:
            symbol: Ticker symbol, e.g. "AAPL".
        """
        s = self._stock(symbol)
        return {"symbol": s["symbol"], "company_name": s["company_name"], "sector": s["sector"], "price": s["price"],
                "percent_change": change(s["price"], s["prev_close"]), "volume": s["volume"], "ma_5": s["ma_5"],
                "ma_20": s["ma_20"], "trading_halted": bool(s["halted"])}

    @tool(phrase=["find out which {sector} stocks I can trade", "list the stocks in the {sector} sector"])
    def get_available_stocks(self, sector: Literal["Technology", "Automobile", "Finance", "Healthcare",
                                                   "Energy"]) -> Symbols:
        """Ticker symbols of the stocks of one sector.

        Args:
            sector: The sector.
        """
        return {"symbols": [r["symbol"] for r in self.rows("SELECT symbol FROM listings WHERE sector = ? ORDER BY"
                                                            " symbol", sector)]}

    @tool(phrase=["find out which[ of {symbols}] stocks trade between ${min_price} and ${max_price}",
                  "find me stocks priced from ${min_price} to ${max_price}[ among {symbols}]"])
    def filter_stocks_by_price(self, min_price: Annotated[float, Field(ge=0)], max_price: Money,
                               symbols: Annotated[list[Symbol], Field(min_length=1, max_length=50)] | None = None
                               ) -> Filtered:
        """The stocks (the given symbols, or every listed one) whose last price lies between min_price and
        max_price (inclusive), by symbol.

        Args:
            min_price: Lowest price in dollars.
            max_price: Highest price in dollars.
            symbols: Ticker symbols to check (default: every listed stock).
        """
        if max_price < min_price:
            raise ToolError("max_price must not be below min_price")
        wanted = [self._stock(s)["symbol"] for s in symbols or ()]
        return {"filtered_symbols": [r["symbol"] for r in self.rows(
            f"SELECT symbol FROM listings WHERE price BETWEEN ? AND ? AND (? OR symbol IN ({', '.join('?' * len(wanted))}))"
            " ORDER BY symbol", min_price, max_price, not wanted, *wanted)]}

    # ------------------------------------------------------------------ orders
    @tool(writes=True, phrase=["{order_type} {quantity} shares of {symbol} with a limit of ${price}",
                               "put in a limit order to {order_type} {quantity} {symbol} at ${price}"])
    def place_order(self, order_type: Literal["Buy", "Sell"], symbol: Symbol, price: Money,
                    quantity: Annotated[int, Field(ge=1, le=10_000)]) -> Order:
        """Place a limit order. A Buy at or above the quote (a Sell at or below it) fills at the quote at once;
        otherwise it stays Open until the price reaches the limit. Needs the market open, enough buying power for
        a Buy (limit x quantity) and enough unreserved shares for a Sell.

        Args:
            order_type: Buy or Sell.
            symbol: Ticker symbol.
            price: Limit price in dollars.
            quantity: Number of shares, 1-10000.
        """
        code = symbol.strip().upper()
        reserved = RESERVED_BUY if order_type == "Buy" else RESERVED_SELL
        found = self.row(f"SELECT {LOGGED_IN}, (SELECT balance_cents FROM account LIMIT 1) AS balance_cents, s.*,"
                         f" {reserved} AS reserved, p.quantity AS held, p.average_cost AS held_cost"
                         " FROM (SELECT 1) LEFT JOIN listings s ON s.symbol = ? LEFT JOIN positions p"
                         " ON p.symbol = s.symbol", code)
        self._logged_in(found)
        account = stock = found
        if stock["symbol"] is None:
            self._stock(symbol)  # raises its error
        if not self._market_open():
            raise ToolError("the market is closed (open 09:30-16:00 ET, Monday to Friday); place the order then")
        if stock["halted"]:
            raise ToolError(f"trading in {stock['symbol']} is halted; no orders are accepted for it now")
        if order_type == "Buy":
            free = account["balance_cents"] - found["reserved"]
            if round(price * 100) * quantity > free:
                raise ToolError(f"insufficient buying power: the order needs {price * quantity:.2f} USD and "
                                f"{dollars(free):.2f} USD is available; deposit cash or lower the quantity")
        else:
            held = found["held"] or 0
            free = held - found["reserved"]
            if quantity > free:
                raise ToolError(f"you can sell at most {free} shares of {stock['symbol']} "
                                f"({held} held, the rest reserved by open sell orders)")
        fills = (price >= stock["price"]) == (order_type == "Buy") or price == stock["price"]
        # a filling order goes in Completed at the quote (what _fill sets right after an Open insert)
        order = self.row("INSERT INTO orders (order_type, symbol, price, quantity, status, timestamp, execution_price)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *", order_type, stock["symbol"], round(price, 2),
                         quantity, "Completed" if fills else "Open", self.clock_text(TIME_FORMAT),
                         stock["price"] if fills else None)
        order["price"] = float(order["price"])
        if fills:
            order["execution_price"] = float(order["execution_price"])
        self.mark_generated("orders", order["order_id"])
        if fills:
            held_row = None if found["held"] is None else {"quantity": found["held"], "average_cost": found["held_cost"]}
            self._fill(order, stock["price"], held_row, mark=False)
        return order

    @tool(phrase=["find out what happened to my order {order_id}", "check the status of order {order_id}"])
    def get_order_details(self, order_id: Annotated[int, UserKnown]) -> Order:
        """One order: side, symbol, limit price, quantity, status and execution price once filled.

        Args:
            order_id: The order number.
        """
        return self._order(order_id)

    @tool(writes=True, phrase=["cancel {order_id}", "withdraw {order_id}; I changed my mind"])
    def cancel_order(self, order_id: int) -> Cancelled:
        """Cancel an Open or Pending order (its reserved cash or shares are released).

        Args:
            order_id: The order number.
        """
        # an Open or Pending order of a logged-in session is cancelled in one statement; anything else takes the
        # checks of _cancel_checks, which raise
        if not self.execute("UPDATE orders SET status = 'Cancelled' WHERE order_id = ? AND status IN ('Open',"
                            " 'Pending') AND EXISTS (SELECT 1 FROM sessions WHERE active = 1)", order_id):
            self.refused(self._cancel_checks, order_id)
        return {"order_id": order_id, "status": "Cancelled", "message": f"order {order_id} cancelled"}

    def _cancel_checks(self, order_id: int) -> None:
        """cancel_order's checks, in order: logged in, the order exists, it is Open or Pending."""
        order = self.row(f"SELECT {LOGGED_IN}, o.status FROM (SELECT 1) LEFT JOIN orders o ON o.order_id = ?",
                         order_id)
        self._logged_in(order)
        if order["status"] is None:
            self._order(order_id)  # raises its error
        if order["status"] not in ("Open", "Pending"):
            raise ToolError(f"order {order_id} is {order['status']} and can no longer be cancelled")

    @tool(phrase=["list my {status} orders[ for {symbol}]", "show my order history[ in {symbol}]"])
    def get_order_history(self, status: OrderStatus | None = None, symbol: Symbol | None = None) -> Orders:
        """The account's orders, newest first, optionally of one status and/or one symbol.

        Args:
            status: Only orders with this status.
            symbol: Only orders in this symbol.
        """
        self._account()
        return {"orders": self.rows("SELECT * FROM orders WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR"
                                    " symbol = ?2) ORDER BY timestamp DESC, order_id DESC", status,
                                    symbol.strip().upper() if symbol else None)}

    @tool(phrase=["show me which stocks I own", "show my portfolio positions"])
    def get_positions(self) -> Positions:
        """Shares held per symbol with average cost, last price and market value."""
        self._account()
        return {"positions": self.rows(
            "SELECT p.symbol, p.quantity, p.average_cost, s.price, ROUND(p.quantity * s.price, 2) AS market_value"
            " FROM positions p JOIN listings s USING (symbol) ORDER BY p.symbol")}

    # ------------------------------------------------------------------ watchlist and alerts
    @tool(phrase=["show what is on my watchlist", "pull up my watchlist"])
    def get_watchlist(self) -> Watchlist:
        """The symbols on the watchlist."""
        self._account()
        return {"watchlist_symbols": self._watchlist()}

    @tool(writes=True, phrase=["add {symbol} to my watchlist", "start watching {symbol}"])
    def add_to_watchlist(self, symbol: Symbol) -> WatchChange:
        """Put a stock on the watchlist (at most 30 symbols).

        Args:
            symbol: Ticker symbol.
        """
        # the checks' values and the watchlist in one query: a row per watched ticker (one NULL when none)
        rows = self.conn.execute(f"SELECT {LOGGED_IN}, s.symbol, w.ticker FROM (SELECT 1) LEFT JOIN listings s ON"
                                 " s.symbol = ? LEFT JOIN watchlist w ORDER BY w.ticker",
                                 (symbol.strip().upper(),)).fetchall()
        logged_in, found, _ = rows[0]
        if not logged_in:
            self._account()  # raises its error
        stock = found if found is not None else self._stock(symbol)["symbol"]
        watched = [ticker for _, _, ticker in rows if ticker is not None]
        if stock in watched:
            raise ToolError(f"{stock} is already on your watchlist")
        if len(watched) >= 30:
            raise ToolError("the watchlist is full (30 symbols); remove one first")
        self.execute("INSERT INTO watchlist VALUES (?, ?)", stock, self.clock_text(TIME_FORMAT))
        return {"status": "Added", "symbol": stock, "watchlist": sorted([*watched, stock])}

    @tool(writes=True, phrase=["take {symbol} off my watchlist", "stop watching {symbol}"])
    def remove_from_watchlist(self, symbol: Symbol) -> WatchChange:
        """Remove a stock from the watchlist.

        Args:
            symbol: Ticker symbol.
        """
        stock = symbol.strip().upper()
        # deleted in one statement while logged in; otherwise the login check raises, else the ticker is not there
        if not self.execute("DELETE FROM watchlist WHERE ticker = ? AND EXISTS (SELECT 1 FROM sessions WHERE"
                            " active = 1)", stock):
            self._logged_in(self.row(f"SELECT {LOGGED_IN}"))
            raise ToolError(f"{stock} is not on your watchlist; get_watchlist shows it")
        return {"status": "Removed", "symbol": stock, "watchlist": self._watchlist()}

    @tool(phrase=["tell me which of {symbols} moved {threshold}% or more today",
                  "alert me about any of {symbols} that changed by {threshold} percent or more"])
    def notify_price_change(self, symbols: Annotated[list[Symbol], Field(min_length=1, max_length=50)],
                            threshold: Annotated[float, Field(gt=0, le=100)]) -> Alert:
        """Which of the given stocks moved by at least threshold percent (up or down) since the previous close.

        Args:
            symbols: Ticker symbols to check.
            threshold: Percent move, e.g. 2.5.
        """
        moves = [{"symbol": s["symbol"], "price": s["price"], "percent_change": change(s["price"], s["prev_close"])}
                 for s in map(self._stock, symbols)]
        moved = [m for m in moves if abs(m["percent_change"]) >= threshold]
        text = (f"{len(moved)} stock(s) moved {threshold}% or more: {', '.join(m['symbol'] for m in moved)}"
                if moved else f"no stock moved {threshold}% or more")
        return {"notification": text, "changed_stocks": [m["symbol"] for m in moved], "details": moved}

    @tool(writes=True, phrase=["{symbol} just printed at ${new_price}; update its quote",
                               "set the price of {symbol} to ${new_price}"])
    def update_stock_price(self, symbol: Symbol, new_price: Money) -> PriceUpdate:
        """Record a new trade price for a stock; Open limit orders that the new price reaches are filled at it.

        Args:
            symbol: Ticker symbol.
            new_price: The new price in dollars.
        """
        price = round(new_price, 2)
        # the stock and the Open orders the new price reaches, in one query (a row per order; one NULL when none)
        rows = self.rows("SELECT s.symbol, s.price AS old_price, s.prev_close, o.order_id, o.order_type, o.quantity"
                         " FROM listings s LEFT JOIN orders o ON o.symbol = s.symbol AND o.status = 'Open' AND"
                         " ((o.order_type = 'Buy' AND o.price >= ?2) OR (o.order_type = 'Sell' AND o.price <= ?2))"
                         " WHERE s.symbol = ?1 ORDER BY o.order_id", symbol.strip().upper(), price)
        if not rows:
            self._stock(symbol)  # raises its error
        stock = rows[0]
        self.execute("UPDATE listings SET price = ? WHERE symbol = ?", price, stock["symbol"])
        filled = []
        for order in rows:
            if order["order_id"] is not None:
                self._fill(order, price)
                filled.append(order["order_id"])
        return {"symbol": stock["symbol"], "old_price": stock["old_price"], "new_price": price,
                "percent_change": change(price, stock["prev_close"]), "filled_orders": filled}
