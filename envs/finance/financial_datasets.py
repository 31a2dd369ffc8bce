"""FinancialDatasets: financialdatasets.ai's market data API (company financial statements, stock and crypto prices,
company news) with the account's saved watchlists."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

#: ticker -> (company, sector, annual revenue in $bn, net margin, share price, diluted shares in bn)
COMPANIES = {
    "AAPL": ("Apple Inc.", "Technology", 390, 0.25, 225, 15.2), "MSFT": ("Microsoft Corp.", "Technology", 250, 0.36,
                                                                     420, 7.4),
    "GOOGL": ("Alphabet Inc.", "Communication Services", 340, 0.27, 170, 12.3),
    "AMZN": ("Amazon.com Inc.", "Consumer Discretionary", 620, 0.08, 185, 10.7),
    "NVDA": ("NVIDIA Corp.", "Technology", 120, 0.52, 125, 24.5), "META": ("Meta Platforms Inc.",
                                                                           "Communication Services", 160, 0.35, 560, 2.6),
    "TSLA": ("Tesla Inc.", "Consumer Discretionary", 97, 0.10, 240, 3.5),
    "JPM": ("JPMorgan Chase & Co.", "Financials", 160, 0.31, 210, 2.9), "V": ("Visa Inc.", "Financials", 36, 0.54,
                                                                              280, 2.0),
    "JNJ": ("Johnson & Johnson", "Health Care", 88, 0.18, 155, 2.4), "WMT": ("Walmart Inc.", "Consumer Staples", 660,
                                                                             0.025, 68, 8.1),
    "PG": ("Procter & Gamble Co.", "Consumer Staples", 84, 0.18, 165, 2.4), "XOM": ("Exxon Mobil Corp.", "Energy",
                                                                                    340, 0.10, 115, 4.0),
    "KO": ("Coca-Cola Co.", "Consumer Staples", 46, 0.23, 63, 4.3), "PEP": ("PepsiCo Inc.", "Consumer Staples", 91,
                                                                            0.10, 170, 1.4),
    "DIS": ("Walt Disney Co.", "Communication Services", 90, 0.06, 95, 1.8), "NFLX": ("Netflix Inc.",
                                                                                      "Communication Services", 37,
                                                                                      0.19, 650, 0.44),
    "AMD": ("Advanced Micro Devices Inc.", "Technology", 24, 0.05, 155, 1.6),
    "CRM": ("Salesforce Inc.", "Technology", 36, 0.12, 270, 0.98), "NKE": ("Nike Inc.", "Consumer Discretionary", 51,
                                                                           0.11, 80, 1.5),
    "MCD": ("McDonald's Corp.", "Consumer Discretionary", 26, 0.32, 290, 0.72),
    "BA": ("Boeing Co.", "Industrials", 75, -0.03, 175, 0.61),
}
CRYPTO = {"BTC-USD": 67000, "ETH-USD": 3400, "SOL-USD": 150, "XRP-USD": 0.52, "DOGE-USD": 0.15, "ADA-USD": 0.45,
          "AVAX-USD": 35, "LINK-USD": 15, "LTC-USD": 82, "DOT-USD": 7.1}
SOURCES = {"Reuters": "reuters.com", "Bloomberg": "bloomberg.com", "CNBC": "cnbc.com", "MarketWatch":
           "marketwatch.com", "Barron's": "barrons.com", "The Motley Fool": "fool.com"}
HEADLINES = [("{name} beats quarterly earnings estimates on strong demand", "positive"),
             ("{name} shares slide after the company trims full-year guidance", "negative"),
             ("Analysts raise {name} price target ahead of earnings", "positive"),
             ("{name} announces ${n} billion share buyback", "positive"),
             ("{name} faces antitrust probe in the European Union", "negative"),
             ("{name} names new chief financial officer", "neutral"),
             ("{name} to cut {n}00 jobs in restructuring", "negative"),
             ("{name} raises quarterly dividend by {n}%", "positive"),
             ("{name} unveils new product line at investor day", "neutral"),
             ("Short sellers bet against {name} as valuation stretches", "negative")]
WATCHLISTS = {"Big Tech": ["AAPL", "MSFT", "GOOGL", "AMZN", "META"], "Dividend income": ["KO", "PG", "JNJ", "PEP"],
              "Crypto majors": ["BTC-USD", "ETH-USD", "SOL-USD"]}
TRADING_DAYS = 90
MAX_WATCHLIST_ITEMS = 20
INCOME = ("revenue", "cost_of_revenue", "gross_profit", "operating_expense", "operating_income", "net_income",
          "earnings_per_share")
BALANCE = ("total_assets", "total_liabilities", "shareholders_equity", "cash_and_equivalents", "total_debt")
CASH_FLOW = ("operating_cash_flow", "capital_expenditure", "free_cash_flow", "dividends_paid")
Ticker = Annotated[str, UserKnown, Field(pattern=r"^[A-Za-z.]{1,6}$")]
CryptoTicker = Annotated[str, UserKnown, Field(pattern=r"^[A-Za-z]{2,6}-USD$")]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Period = Literal["annual", "quarterly", "ttm"]
Limit = Annotated[int, Field(ge=1, le=12)]

Statement = dict[str, Any]
Statements = TypedDict("Statements", {"symbol": str, "period": str, "statements": list[dict[str, Any]]})
Quote = TypedDict("Quote", {"symbol": str, "price": float, "currency": str, "timestamp": str, "change": float,
                            "change_percent": float})
CryptoQuote = TypedDict("CryptoQuote", {"ticker": str, "price": float, "currency": str, "timestamp": str,
                                        "change": float, "change_percent": float})
Bar = TypedDict("Bar", {"time": str, "open": float, "high": float, "low": float, "close": float, "volume": int})
Prices = TypedDict("Prices", {"symbol": str, "prices": list[Bar]})
CryptoPrices = TypedDict("CryptoPrices", {"ticker": str, "prices": list[Bar]})
Article = TypedDict("Article", {"symbol": str, "title": str, "source": str, "date": str, "url": str,
                                "sentiment": str})
News = TypedDict("News", {"symbol": str, "news": list[Article]})
Symbols = TypedDict("Symbols", {"symbols": list[str]})
Tickers = TypedDict("Tickers", {"tickers": list[str]})
Item = TypedDict("Item", {"symbol": str, "added_at": str})
Watchlist = TypedDict("Watchlist", {"watchlist_id": str, "name": str, "created_at": str, "items": list[Item]})


def slug(text: str) -> str:
    return "-".join("".join(c for c in word if c.isalnum()) for word in text.lower().split())[:60].strip("-")


class FinancialDatasets(World):
    """financialdatasets.ai: income statements, balance sheets and cash-flow statements of US companies (annual,
    quarterly or trailing twelve months, amounts in USD), daily stock and crypto prices (crypto tickers like
    BTC-USD), company news, and the account's watchlists. Prices are daily closes up to the last trading day."""

    domain = "Finance"
    schema = f"""
    CREATE TABLE companies (symbol TEXT PRIMARY KEY, name TEXT NOT NULL, sector TEXT NOT NULL);
    CREATE TABLE financials (symbol TEXT NOT NULL REFERENCES companies, period TEXT NOT NULL,
                             report_period TEXT NOT NULL, fiscal_period TEXT NOT NULL,
                             {", ".join(f"{c} NUMERIC NOT NULL" for c in INCOME + BALANCE + CASH_FLOW)},
                             PRIMARY KEY (symbol, period, report_period));
    CREATE TABLE prices (symbol TEXT NOT NULL, date TEXT NOT NULL, open REAL NOT NULL, high REAL NOT NULL,
                         low REAL NOT NULL, close REAL NOT NULL, volume INTEGER NOT NULL, PRIMARY KEY (symbol, date));
    CREATE TABLE crypto_prices (ticker TEXT NOT NULL, date TEXT NOT NULL, open REAL NOT NULL, high REAL NOT NULL,
                                low REAL NOT NULL, close REAL NOT NULL, volume INTEGER NOT NULL,
                                PRIMARY KEY (ticker, date));
    CREATE TABLE news (article_id TEXT PRIMARY KEY, symbol TEXT NOT NULL REFERENCES companies, date TEXT NOT NULL,
                       title TEXT NOT NULL, source TEXT NOT NULL, url TEXT NOT NULL, sentiment TEXT NOT NULL);
    CREATE INDEX news_by_symbol ON news (symbol, date);
    CREATE TABLE watchlists (watchlist_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                             created_at TEXT NOT NULL);
    CREATE TABLE watchlist_items (watchlist_id TEXT NOT NULL REFERENCES watchlists, symbol TEXT NOT NULL,
                                  added_at TEXT NOT NULL, PRIMARY KEY (watchlist_id, symbol));
    """
    volatile = {"watchlists": ("created_at",), "watchlist_items": ("added_at",)}
    text_search = {"news": ("title",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        days = [d for d in (cls.start_time.date() - dt.timedelta(days=n) for n in range(1, 140)) if d.weekday() < 5]
        days = sorted(days[:TRADING_DAYS])
        prices, crypto, statements, news = [], [], [], []
        for ticker, price in [*((t, c[4]) for t, c in COMPANIES.items()), *CRYPTO.items()]:
            price *= rng.uniform(0.8, 1.2)
            vol = 0.035 if ticker.endswith("-USD") else 0.016
            for day in days:
                close = price * (1 + rng.gauss(0.0004, vol))
                high, low = max(price, close) * (1 + rng.uniform(0, vol / 2)), min(price, close) * (
                    1 - rng.uniform(0, vol / 2))
                digits = 2 if price >= 1 else 4
                (crypto if ticker.endswith("-USD") else prices).append({
                    "ticker": ticker, "date": day.isoformat(), "open": round(price, digits),
                               "high": round(high, digits), "low": round(low, digits), "close": round(close, digits),
                               "volume": rng.randrange(2_000_000, 90_000_000)})
                price = close
        for ticker, (name, _, revenue, margin, _, shares) in COMPANIES.items():
            for quarter in range(12):  # twelve quarters, the latest ending last December
                end = dt.date(2025 - quarter // 4, 12 - 3 * (quarter % 4), 1) + dt.timedelta(days=31)
                end = end.replace(day=1) - dt.timedelta(days=1)
                growth = (1 + rng.uniform(0.02, 0.12)) ** (-quarter / 4)
                statements.append(cls._statement(rng, ticker, "quarterly", end, f"{end.year}-Q{end.month // 3}",
                                                 revenue / 4 * growth * rng.uniform(0.9, 1.1), margin, shares))
            quarters = [s for s in statements if s["symbol"] == ticker]
            for year in range(3):
                four = quarters[4 * year: 4 * year + 4]
                annual = {**four[0], "period": "annual", "fiscal_period": f"FY{four[0]['report_period'][:4]}"}
                annual.update({c: round(sum(q[c] for q in four), 2) for c in INCOME + CASH_FLOW})
                statements.append(annual)
            for _ in range(rng.randrange(6, 11)):
                source = rng.choice(list(SOURCES))
                title = rng.choice(HEADLINES)
                text = title[0].format(name=name.replace(" Inc.", "").replace(" Corp.", ""), n=rng.randrange(2, 9))
                news.append({"article_id": fake_id(rng, "news_"), "symbol": ticker, "date": str(
                    cls.days_before_start(rng, 1, 60)), "title": text, "source": source, "sentiment": title[1],
                    "url": f"https://www.{SOURCES[source]}/markets/{slug(text)}"})
        db["companies"].insert_all({"symbol": t, "name": c[0], "sector": c[1]} for t, c in COMPANIES.items())
        db["prices"].insert_all({"symbol": p.pop("ticker"), **p} for p in prices)
        db["crypto_prices"].insert_all(crypto)
        db["financials"].insert_all(statements)
        db["news"].insert_all(news)
        for name, tickers in WATCHLISTS.items():
            watchlist_id = fake_id(rng, "wl_")
            created = cls.days_before_start(rng, 30, 300)
            db["watchlists"].insert({"watchlist_id": watchlist_id, "name": name, "created_at": f"{created} 10:00"})
            db["watchlist_items"].insert_all({"watchlist_id": watchlist_id, "symbol": t,
                                              "added_at": f"{created} 10:0{i}"} for i, t in enumerate(tickers))

    @staticmethod
    def _statement(rng: random.Random, ticker: str, period: str, end: dt.date, fiscal: str, revenue: float,
                   margin: float, shares: float) -> dict[str, Any]:
        m = 1e9
        gross = revenue * rng.uniform(0.35, 0.7)
        net = revenue * margin * rng.uniform(0.85, 1.15)
        assets = revenue * rng.uniform(2.2, 3.5)
        liabilities = assets * rng.uniform(0.4, 0.75)
        operating_cf = net * rng.uniform(1.1, 1.5) if net > 0 else revenue * 0.02
        capex = revenue * rng.uniform(0.03, 0.12)
        return {"symbol": ticker, "period": period, "report_period": end.isoformat(), "fiscal_period": fiscal,
                "revenue": round(revenue * m), "cost_of_revenue": round((revenue - gross) * m),
                "gross_profit": round(gross * m), "operating_expense": round((gross - net * 1.25) * m),
                "operating_income": round(net * 1.25 * m), "net_income": round(net * m),
                "earnings_per_share": round(net / shares, 2), "total_assets": round(assets * m),
                "total_liabilities": round(liabilities * m), "shareholders_equity": round((assets - liabilities) * m),
                "cash_and_equivalents": round(assets * rng.uniform(0.05, 0.2) * m),
                "total_debt": round(liabilities * rng.uniform(0.2, 0.6) * m),
                "operating_cash_flow": round(operating_cf * m), "capital_expenditure": round(-capex * m),
                "free_cash_flow": round((operating_cf - capex) * m),
                "dividends_paid": round(-max(net, 0) * rng.choice([0, 0.2, 0.4, 0.6]) * m)}

    def _company(self, symbol: str) -> str:
        ticker = symbol.upper()
        if not self.row("SELECT 1 FROM companies WHERE symbol = ?", ticker):
            raise ToolError(f"no data for ticker '{symbol}'; get_available_stock_tickers lists the covered tickers")
        return ticker

    def _statements(self, symbol: str, period: Period, limit: int, columns: tuple[str, ...]) -> Statements:
        ticker = self._company(symbol)
        keep = ", ".join(columns)
        if period == "ttm":
            rows = self.rows("SELECT * FROM financials WHERE symbol = ? AND period = 'quarterly'"
                             " ORDER BY report_period DESC LIMIT 4", ticker)
            latest = {c: rows[0][c] for c in ("symbol", "report_period", *BALANCE)}
            flows = {c: round(sum(r[c] for r in rows), 2) for c in columns if c in INCOME + CASH_FLOW}
            found = [{**{c: latest.get(c) for c in ("symbol", "report_period")}, "fiscal_period": "TTM",
                      "period": "ttm", **{c: flows.get(c, latest.get(c)) for c in columns}}]
        else:
            found = self.rows(f"SELECT symbol, report_period, fiscal_period, period, {keep} FROM financials"
                              " WHERE symbol = ? AND period = ? ORDER BY report_period DESC LIMIT ?",
                              ticker, period, limit)
        return {"symbol": ticker, "period": period, "statements": found}

    @tool(phrase=["pull {symbol}'s[ {period}] income statements", "show me {symbol}'s revenue and net income"
                                                                    "[ ({period})]"])
    def get_income_statements(self, symbol: Ticker, period: Period = "annual", limit: Limit = 4) -> Statements:
        """Income statements of a company, newest first: revenue, costs, operating and net income, diluted EPS.

        Args:
            symbol: Stock ticker, e.g. "AAPL".
            period: annual, quarterly or ttm (trailing twelve months).
            limit: At most this many periods.
        """
        return self._statements(symbol, period, limit, INCOME)

    @tool(phrase=["pull {symbol}'s[ {period}] balance sheets", "show me {symbol}'s assets, debt and cash"
                                                                 "[ ({period})]"])
    def get_balance_sheets(self, symbol: Ticker, period: Period = "annual", limit: Limit = 4) -> Statements:
        """Balance sheets of a company, newest first: assets, liabilities, equity, cash and debt.

        Args:
            symbol: Stock ticker, e.g. "MSFT".
            period: annual, quarterly or ttm (the latest quarter's balance sheet).
            limit: At most this many periods.
        """
        return self._statements(symbol, period, limit, BALANCE)

    @tool(phrase=["pull {symbol}'s[ {period}] cash flow statements", "show me {symbol}'s free cash flow"
                                                                       "[ ({period})]"])
    def get_cash_flow_statements(self, symbol: Ticker, period: Period = "annual", limit: Limit = 4) -> Statements:
        """Cash-flow statements of a company, newest first: operating cash flow, capital expenditure (negative),
        free cash flow and dividends paid (negative).

        Args:
            symbol: Stock ticker, e.g. "NVDA".
            period: annual, quarterly or ttm (trailing twelve months).
            limit: At most this many periods.
        """
        return self._statements(symbol, period, limit, CASH_FLOW)

    def _last_two(self, table: str, key: str, ticker: str) -> dict[str, Any]:
        last, previous = self.rows(f"SELECT date, close FROM {table} WHERE {key} = ? ORDER BY date DESC LIMIT 2",
                                   ticker)
        change = round(last["close"] - previous["close"], 4)
        return {"price": last["close"], "currency": "USD", "timestamp": f"{last['date']}T16:00:00Z",
                "change": change, "change_percent": round(change / previous["close"] * 100, 2)}

    @tool(phrase=["check {symbol}'s latest stock price", "get me the current share price of {symbol}"])
    def get_current_stock_price(self, symbol: Ticker) -> Quote:
        """The latest closing price of a stock and its change from the previous close.

        Args:
            symbol: Stock ticker, e.g. "TSLA".
        """
        ticker = self._company(symbol)
        return {"symbol": ticker, **self._last_two("prices", "symbol", ticker)}  # type: ignore[typeddict-item]

    def _bars(self, table: str, key: str, ticker: str, start_date: str, end_date: str, interval: str) -> list[Bar]:
        if end_date < start_date:
            raise ToolError("end_date must not be before start_date")
        bars: dict[str, Bar] = {}
        for day in self.rows(f"SELECT date AS time, open, high, low, close, volume FROM {table} WHERE {key} = ?"
                             " AND date BETWEEN ? AND ? ORDER BY date", ticker, start_date, end_date):
            key = {"day": day["time"], "week": dt.date.fromisoformat(day["time"]).strftime("%G-%V"),
                   "month": day["time"][:7]}[interval]
            bar = bars.setdefault(key, day)  # type: ignore[arg-type]
            bar.update(high=max(bar["high"], day["high"]), low=min(bar["low"], day["low"]), close=day["close"],
                       volume=bar["volume"] + day["volume"] * (bar is not day))
        return list(bars.values())

    @tool(phrase=["show {symbol}'s[ {interval}ly] prices from {start_date} to {end_date}",
                  "get the price history of {symbol} between {start_date} and {end_date}"])
    def get_historical_stock_prices(self, symbol: Ticker, start_date: Day, end_date: Day,
                                    interval: Literal["day", "week", "month"] = "day") -> Prices:
        """Open, high, low, close and volume of a stock per day, week or month between two dates (inclusive).

        Args:
            symbol: Stock ticker, e.g. "AMZN".
            start_date: First day, YYYY-MM-DD.
            end_date: Last day, YYYY-MM-DD.
            interval: One bar per day, week or month.
        """
        ticker = self._company(symbol)
        return {"symbol": ticker, "prices": self._bars("prices", "symbol", ticker, start_date, end_date, interval)}

    @tool(phrase=["what's the latest news on {symbol}", "show the[ {limit}] latest headlines about {symbol}"])
    def get_company_news(self, symbol: Ticker, limit: Annotated[int, Field(ge=1, le=20)] = 5) -> News:
        """Recent news articles about a company, newest first.

        Args:
            symbol: Stock ticker, e.g. "META".
            limit: At most this many articles.
        """
        ticker = self._company(symbol)
        return {"symbol": ticker, "news": self.rows(
            "SELECT symbol, title, source, date, url, sentiment FROM news WHERE symbol = ?"
            " ORDER BY date DESC, article_id LIMIT ?", ticker, limit)}

    @tool(phrase=["find news articles mentioning {query}", "search the news for '{query}'"])
    def search_news(self, query: NonEmptyStr, sentiment: Literal["positive", "negative", "neutral"] | None = None
                    ) -> list[Article]:
        """Search news headlines of every covered company for some text, newest first (at most 20).

        Args:
            query: Text the headline contains, e.g. "buyback".
            sentiment: Only articles with this sentiment.
        """
        matches, params = self.text_filter("news", query)
        return self.rows(f"SELECT symbol, title, source, date, url, sentiment FROM news WHERE {matches}"
                         " AND (? IS NULL OR sentiment = ?) ORDER BY date DESC, article_id LIMIT 20",
                         *params, sentiment, sentiment)

    @tool(phrase=["which stock tickers do you cover", "list the available stock tickers"])
    def get_available_stock_tickers(self) -> Symbols:
        """Every stock ticker with financial data, alphabetically."""
        return {"symbols": [r["symbol"] for r in self.rows("SELECT symbol FROM companies ORDER BY symbol")]}

    @tool(phrase=["which crypto tickers do you cover", "list the available crypto tickers"])
    def get_available_crypto_tickers(self) -> Tickers:
        """Every crypto ticker with price data (e.g. BTC-USD), alphabetically."""
        return {"tickers": sorted(CRYPTO)}

    def _crypto(self, ticker: str) -> str:
        if ticker.upper() not in CRYPTO:
            raise ToolError(f"no crypto ticker '{ticker}'; use the form BTC-USD (get_available_crypto_tickers)")
        return ticker.upper()

    @tool(phrase=["show {ticker}[ {interval}ly] prices from {start_date} to {end_date}",
                  "get the {ticker} price history between {start_date} and {end_date}"])
    def get_historical_crypto_prices(self, ticker: CryptoTicker, start_date: Day, end_date: Day,
                                     interval: Literal["day", "week", "month"] = "day") -> CryptoPrices:
        """Open, high, low, close and volume of a crypto pair per day, week or month between two dates.

        Args:
            ticker: Crypto ticker, e.g. "BTC-USD".
            start_date: First day, YYYY-MM-DD.
            end_date: Last day, YYYY-MM-DD.
            interval: One bar per day, week or month.
        """
        ticker = self._crypto(ticker)
        return {"ticker": ticker, "prices": self._bars("crypto_prices", "ticker", ticker, start_date, end_date, interval)}

    @tool(phrase=["check the latest {ticker} price", "what is {ticker} at right now"])
    def get_current_crypto_price(self, ticker: CryptoTicker) -> CryptoQuote:
        """The latest daily close of a crypto pair and its change from the day before.

        Args:
            ticker: Crypto ticker, e.g. "ETH-USD".
        """
        ticker = self._crypto(ticker)
        return {"ticker": ticker, **self._last_two("crypto_prices", "ticker", ticker)}  # type: ignore[typeddict-item]

    def _watchlist(self, watchlist_id: str) -> Watchlist:
        found = self.require("SELECT * FROM watchlists WHERE watchlist_id = ?", watchlist_id,
                             error=f"no watchlist '{watchlist_id}'; list_watchlists shows yours")
        return {**found, "items": self.rows("SELECT symbol, added_at FROM watchlist_items WHERE watchlist_id = ?"
                                            " ORDER BY added_at, symbol", watchlist_id)}

    @tool(phrase=["show my watchlists", "what's on my watchlists"])
    def list_watchlists(self) -> list[Watchlist]:
        """The account's watchlists with their tickers."""
        return [self._watchlist(r["watchlist_id"]) for r in self.rows(
            "SELECT watchlist_id FROM watchlists ORDER BY created_at, name")]

    @tool(writes=True, phrase=["create a watchlist called '{name}'", "start a new watchlist named {name}"])
    def create_watchlist(self, name: Annotated[str, Field(min_length=1, max_length=40, pattern=r"\S")]) -> Watchlist:
        """Create an empty watchlist; names are unique (ignoring case).

        Args:
            name: The watchlist's name, e.g. "Semiconductors".
        """
        if self.row("SELECT 1 FROM watchlists WHERE name = ?", name.strip()):
            raise ToolError(f"a watchlist named '{name.strip()}' already exists; pick another name")
        watchlist_id = self.new_id("watchlists", "wl_")
        self.execute("INSERT INTO watchlists VALUES (?, ?, ?)", watchlist_id, name.strip(),
                     self.now().strftime("%Y-%m-%d %H:%M"))
        return self._watchlist(watchlist_id)

    @tool(writes=True, phrase=["add {symbol} to {watchlist_id}", "put {symbol} on {watchlist_id}",
                               "start watching {symbol} in {watchlist_id}"])
    def add_to_watchlist(self, watchlist_id: str, symbol: Annotated[str, UserKnown, Field(
            pattern=r"^[A-Za-z.]{1,6}(-USD)?$")]) -> Watchlist:
        """Add a stock or crypto ticker to a watchlist (at most 20 tickers per watchlist).

        Args:
            watchlist_id: The watchlist's id.
            symbol: A stock ticker (AAPL) or crypto ticker (BTC-USD).
        """
        watchlist, symbol = self._watchlist(watchlist_id), symbol.upper()
        if symbol not in CRYPTO and not self.row("SELECT 1 FROM companies WHERE symbol = ?", symbol):
            raise ToolError(f"no data for ticker '{symbol}'; only covered stock and crypto tickers can be watched")
        if any(i["symbol"] == symbol for i in watchlist["items"]):
            raise ToolError(f"{symbol} is already on the watchlist '{watchlist['name']}'")
        if len(watchlist["items"]) >= MAX_WATCHLIST_ITEMS:
            raise ToolError(f"the watchlist '{watchlist['name']}' is full ({MAX_WATCHLIST_ITEMS} tickers); "
                            "remove one first")
        self.execute("INSERT INTO watchlist_items VALUES (?, ?, ?)", watchlist_id, symbol,
                     self.now().strftime("%Y-%m-%d %H:%M"))
        return self._watchlist(watchlist_id)

    @tool(writes=True, phrase=["take {symbol} off {watchlist_id}", "remove {symbol} from {watchlist_id}",
                               "stop watching {symbol} in {watchlist_id}"])
    def remove_from_watchlist(self, watchlist_id: str, symbol: Annotated[str, UserKnown]) -> Watchlist:
        """Remove a ticker from a watchlist.

        Args:
            watchlist_id: The watchlist's id.
            symbol: The ticker to remove.
        """
        watchlist = self._watchlist(watchlist_id)
        if not self.execute("DELETE FROM watchlist_items WHERE watchlist_id = ? AND symbol = ?", watchlist_id,
                            symbol.upper()):
            raise ToolError(f"{symbol.upper()} is not on the watchlist '{watchlist['name']}'")
        return self._watchlist(watchlist_id)
