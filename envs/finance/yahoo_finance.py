"""YahooFinance: quotes, price history, dividends, statements, earnings, news, analyst ratings, options, portfolios."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

#: symbol -> (company, sector, typical price, yearly revenue in $bn, quarterly dividend per share or 0)
COMPANIES = {
    "AAPL": ("Apple Inc.", "Technology", 232, 391, 0.25), "MSFT": ("Microsoft Corporation", "Technology", 428, 245, 0.83),
    "GOOGL": ("Alphabet Inc.", "Communication Services", 171, 350, 0.20), "META": ("Meta Platforms, Inc.",
    "Communication Services", 585, 164, 0.50), "AMZN": ("Amazon.com, Inc.", "Consumer Cyclical", 197, 638, 0),
    "NVDA": ("NVIDIA Corporation", "Technology", 131, 130, 0.01), "TSLA": ("Tesla, Inc.", "Consumer Cyclical", 262, 97, 0),
    "NFLX": ("Netflix, Inc.", "Communication Services", 702, 39, 0), "AMD": ("Advanced Micro Devices, Inc.",
    "Technology", 151, 26, 0), "INTC": ("Intel Corporation", "Technology", 22, 53, 0),
    "JPM": ("JPMorgan Chase & Co.", "Financial Services", 224, 177, 1.25), "KO": ("The Coca-Cola Company",
    "Consumer Defensive", 66, 47, 0.51), "PEP": ("PepsiCo, Inc.", "Consumer Defensive", 158, 92, 1.36),
    "PG": ("The Procter & Gamble Company", "Consumer Defensive", 169, 84, 1.01), "WMT": ("Walmart Inc.",
    "Consumer Defensive", 83, 681, 0.21), "JNJ": ("Johnson & Johnson", "Healthcare", 155, 89, 1.24),
    "PFE": ("Pfizer Inc.", "Healthcare", 27, 63, 0.43), "XOM": ("Exxon Mobil Corporation", "Energy", 114, 339, 0.99),
    "DIS": ("The Walt Disney Company", "Communication Services", 98, 92, 0.50), "BA": ("The Boeing Company",
    "Industrials", 161, 66, 0), "NKE": ("NIKE, Inc.", "Consumer Cyclical", 77, 49, 0.40),
    "MCD": ("McDonald's Corporation", "Consumer Cyclical", 292, 26, 1.77), "VZ": ("Verizon Communications Inc.",
    "Communication Services", 41, 135, 0.68), "CAT": ("Caterpillar Inc.", "Industrials", 371, 64, 1.41),
}
FIRMS = ["Morgan Stanley", "Goldman Sachs", "JP Morgan", "Barclays", "UBS", "Wedbush", "Piper Sandler", "Bernstein",
         "Evercore ISI", "Jefferies", "Citigroup", "Wells Fargo", "BofA Securities", "Raymond James", "Mizuho"]
GRADES = ["Strong Buy", "Buy", "Outperform", "Overweight", "Neutral", "Hold", "Equal-Weight", "Underperform", "Sell"]
PUBLISHERS = ["Reuters", "Bloomberg", "Barron's", "MarketWatch", "The Motley Fool", "Zacks", "Investor's Business Daily",
              "CNBC", "Yahoo Finance", "Benzinga"]
HEADLINES = ["{name} beats quarterly estimates as revenue climbs {n}%", "{name} shares slip after cautious guidance",
             "Analysts lift {symbol} price target ahead of earnings", "{name} announces ${n} billion share buyback",
             "Why {symbol} stock is moving today", "{name} unveils new product lineup at investor day",
             "{name} faces regulatory scrutiny over pricing", "Is {symbol} a buy after its {n}% pullback?",
             "{name} names new chief financial officer", "{name} expands partnership in Asia",
             "Options traders bet on big {symbol} move", "{name} cuts costs, plans {n} job reductions"]
HOLIDAYS = {dt.date(2025, 11, 27), dt.date(2025, 12, 25), dt.date(2026, 1, 1), dt.date(2026, 1, 19),
            dt.date(2026, 2, 16)}
PERIODS = {"5d": 5, "1mo": 21, "3mo": 63}
Symbol = Annotated[str, UserKnown, Field(pattern=r"^\s*[A-Za-z.^-]{1,8}\s*$")]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Freq = Literal["yearly", "quarterly"]
PortfolioName = Annotated[str, UserKnown, Field(min_length=1, max_length=40, pattern=r"\S")]

Price = TypedDict("Price", {"symbol": str, "current_price": float, "currency": str, "previous_close": float,
                            "as_of": str})
Bar = TypedDict("Bar", {"date": str, "open": float, "high": float, "low": float, "close": float, "volume": int})
DayPrice = TypedDict("DayPrice", {"date": str, "open": float, "close": float})
Close = TypedDict("Close", {"date": str, "close": float})
Closing = TypedDict("Closing", {"symbol": str, "closing_prices": list[Close]})
History = TypedDict("History", {"price_history": list[Bar]})
Dividend = TypedDict("Dividend", {"ex_date": str, "amount": float})
Dividends = TypedDict("Dividends", {"dividends": list[Dividend]})
Income = TypedDict("Income", {"period_end": str, "total_revenue": int, "gross_profit": int, "operating_income": int,
                              "net_income": int, "diluted_eps": float})
Incomes = TypedDict("Incomes", {"income_statements": list[Income]})
Cash = TypedDict("Cash", {"period_end": str, "operating_cash_flow": int, "capital_expenditure": int,
                          "free_cash_flow": int, "dividends_paid": int})
Cashflows = TypedDict("Cashflows", {"cashflow_statements": list[Cash]})
Earning = TypedDict("Earning", {"date": str, "eps_estimate": float, "reported_eps": float | None,
                                "surprise_percent": float | None})
Earnings = TypedDict("Earnings", {"earnings_dates": list[Earning]})
Article = TypedDict("Article", {"title": str, "publisher": str, "published": str, "symbol": str})
News = TypedDict("News", {"news_articles": list[Article]})
Rating = TypedDict("Rating", {"date": str, "firm": str, "to_grade": str, "from_grade": str | None, "action": str})
Ratings = TypedDict("Ratings", {"recommendations": list[Rating]})
Expirations = TypedDict("Expirations", {"expiration_dates": list[str]})
Contract = TypedDict("Contract", {"contract_symbol": str, "strike": float, "last_price": float, "bid": float,
                                  "ask": float, "volume": int, "open_interest": int, "implied_volatility": float})
Chain = TypedDict("Chain", {"underlyingPrice": float, "expiration_date": str, "calls": list[Contract],
                            "puts": list[Contract]})
Holding = TypedDict("Holding", {"symbol": str, "shares": float, "cost_basis": float, "current_price": float,
                                "market_value": float, "gain": float})
Portfolio = TypedDict("Portfolio", {"portfolio_name": str, "holdings": list[Holding], "total_value": float})

CONTRACT = "SELECT contract_symbol, strike, last_price, bid, ask, volume, open_interest, implied_volatility FROM options"


def trading_days(end: dt.date, count: int) -> list[dt.date]:
    """The last ``count`` NYSE trading days up to ``end`` (weekends and holidays skipped), oldest first."""
    days, day = [], end
    while len(days) < count:
        if day.weekday() < 5 and day not in HOLIDAYS:
            days.append(day)
        day -= dt.timedelta(days=1)
    return days[::-1]


class YahooFinance(World):
    """Yahoo Finance market data for US-listed stocks (USD): quotes, daily prices, dividends, income and cash-flow
    statements, earnings dates, news, analyst rating changes and option chains; plus the user's saved portfolios
    (holdings with share counts and cost basis). Market data ends at the last close before today."""

    domain = "Finance"
    schema = """
    CREATE TABLE tickers (symbol TEXT PRIMARY KEY, company TEXT NOT NULL, sector TEXT NOT NULL, currency TEXT NOT NULL);
    CREATE TABLE prices (symbol TEXT NOT NULL, date TEXT NOT NULL, open REAL NOT NULL, high REAL NOT NULL,
                         low REAL NOT NULL, close REAL NOT NULL, volume INTEGER NOT NULL, PRIMARY KEY (symbol, date));
    CREATE TABLE dividends (symbol TEXT NOT NULL, ex_date TEXT NOT NULL, amount REAL NOT NULL,
                            PRIMARY KEY (symbol, ex_date));
    CREATE TABLE income (symbol TEXT NOT NULL, freq TEXT NOT NULL, period_end TEXT NOT NULL, total_revenue INTEGER,
                         gross_profit INTEGER, operating_income INTEGER, net_income INTEGER, diluted_eps REAL,
                         PRIMARY KEY (symbol, freq, period_end));
    CREATE TABLE cashflow (symbol TEXT NOT NULL, freq TEXT NOT NULL, period_end TEXT NOT NULL,
                           operating_cash_flow INTEGER, capital_expenditure INTEGER, free_cash_flow INTEGER,
                           dividends_paid INTEGER, PRIMARY KEY (symbol, freq, period_end));
    CREATE TABLE earnings (symbol TEXT NOT NULL, date TEXT NOT NULL, eps_estimate REAL NOT NULL, reported_eps REAL,
                           surprise_percent REAL, PRIMARY KEY (symbol, date));
    CREATE TABLE news (article_id TEXT PRIMARY KEY, symbol TEXT NOT NULL, title TEXT NOT NULL, publisher TEXT NOT NULL,
                       published TEXT NOT NULL);
    CREATE INDEX news_by_symbol ON news (symbol, published);
    CREATE TABLE ratings (rating_id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, date TEXT NOT NULL, firm TEXT NOT NULL,
                          to_grade TEXT NOT NULL, from_grade TEXT, action TEXT NOT NULL);
    CREATE INDEX ratings_by_symbol ON ratings (symbol, date);
    CREATE TABLE options (contract_symbol TEXT PRIMARY KEY, symbol TEXT NOT NULL, expiration TEXT NOT NULL,
                          kind TEXT NOT NULL, strike REAL NOT NULL, last_price REAL NOT NULL, bid REAL NOT NULL,
                          ask REAL NOT NULL, volume INTEGER NOT NULL, open_interest INTEGER NOT NULL,
                          implied_volatility REAL NOT NULL);
    CREATE INDEX options_by_expiration ON options (symbol, expiration, kind, strike);
    CREATE TABLE portfolios (portfolio_name TEXT PRIMARY KEY COLLATE NOCASE, created TEXT NOT NULL);
    CREATE TABLE holdings (holding_id INTEGER PRIMARY KEY, portfolio_name TEXT NOT NULL REFERENCES portfolios,
                           symbol TEXT NOT NULL, shares REAL NOT NULL, cost_basis REAL NOT NULL,
                           UNIQUE (portfolio_name, symbol));
    """
    text_search = {"news": ("title",)}
    volatile = {"portfolios": ("created",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        days = trading_days(cls.start_time.date() - dt.timedelta(days=1), 90)
        quarters = [dt.date(2025, 3, 31), dt.date(2025, 6, 30), dt.date(2025, 9, 30), dt.date(2025, 12, 31)]
        prices, divs, income, cash, earns, news, ratings, options = [], [], [], [], [], [], [], []
        for symbol, (company, sector, typical, revenue, dividend) in COMPANIES.items():
            close = typical * rng.uniform(0.8, 1.1)
            for day in days:
                opened = close * rng.uniform(0.985, 1.015)
                close = max(1.0, opened * rng.uniform(0.97, 1.032))
                prices.append({"symbol": symbol, "date": str(day), "open": round(opened, 2),
                               "high": round(max(opened, close) * rng.uniform(1, 1.012), 2),
                               "low": round(min(opened, close) * rng.uniform(0.988, 1), 2), "close": round(close, 2),
                               "volume": rng.randrange(2_000_000, 90_000_000)})
            if dividend:
                for month in (2, 5, 8, 11, 14):
                    year, month = 2025 + (month - 1) // 12, (month - 1) % 12 + 1
                    ex_date = dt.date(year, month, rng.randrange(5, 25))
                    if ex_date < cls.start_time.date():
                        divs.append({"symbol": symbol, "ex_date": str(ex_date), "amount": dividend})
            shares = revenue * 1e9 / typical * rng.uniform(1.5, 5)
            margin = rng.uniform(0.08, 0.3)
            for freq, ends, scale in (("yearly", [dt.date(y, 12, 31) for y in (2022, 2023, 2024, 2025)], 1),
                                      ("quarterly", quarters, 0.25)):
                for i, end in enumerate(ends):
                    sales = revenue * 1e9 * scale * (0.86 + 0.05 * i) * rng.uniform(0.95, 1.05)
                    net = sales * margin * rng.uniform(0.8, 1.2)
                    ocf = net * rng.uniform(1.1, 1.5)
                    capex = sales * rng.uniform(0.03, 0.12)
                    income.append({"symbol": symbol, "freq": freq, "period_end": str(end),
                                   "total_revenue": int(sales), "gross_profit": int(sales * rng.uniform(0.3, 0.65)),
                                   "operating_income": int(net * rng.uniform(1.15, 1.4)), "net_income": int(net),
                                   "diluted_eps": round(net / shares, 2)})
                    cash.append({"symbol": symbol, "freq": freq, "period_end": str(end),
                                 "operating_cash_flow": int(ocf), "capital_expenditure": -int(capex),
                                 "free_cash_flow": int(ocf - capex),
                                 "dividends_paid": -int(dividend * shares * 4 * scale)})
            eps = [r["diluted_eps"] for r in income[-4:]]
            for i, end in enumerate(quarters + [dt.date(2026, 3, 31)]):
                when = end + dt.timedelta(days=rng.randrange(21, 35))
                estimate = round((eps[i] if i < 4 else eps[-1]) * rng.uniform(0.9, 1.08), 2)
                reported = eps[i] if i < 4 else None
                earns.append({"symbol": symbol, "date": str(when), "eps_estimate": estimate, "reported_eps": reported,
                              "surprise_percent": None if reported is None or not estimate
                              else round((reported - estimate) / abs(estimate) * 100, 2)})
            for headline in rng.sample(HEADLINES, 8):
                news.append({"article_id": f"{rng.getrandbits(64):016x}", "symbol": symbol,
                             "title": headline.format(name=company.split(",")[0].replace(" Inc.", ""), symbol=symbol,
                                                      n=rng.randrange(3, 30)), "publisher": rng.choice(PUBLISHERS),
                             "published": f"{cls.days_before_start(rng, 1, 60)}T{rng.randrange(6, 22):02d}:"
                                          f"{rng.randrange(60):02d}:00Z"})
            grade = rng.choice(GRADES)
            for when in sorted(cls.days_before_start(rng, 1, 300) for _ in range(rng.randrange(5, 10))):
                new = rng.choice(GRADES)
                action = "main" if new == grade else "up" if GRADES.index(new) < GRADES.index(grade) else "down"
                first = rng.random() < 0.2
                ratings.append({"symbol": symbol, "date": str(when), "firm": rng.choice(FIRMS), "to_grade": new,
                                "from_grade": None if first else grade, "action": "init" if first else action})
                grade = new
            step = 1 if close < 40 else 5 if close < 250 else 10
            atm = round(close / step) * step
            for weeks in (1, 2, 3, 7):
                expiry = cls.start_time.date() + dt.timedelta(days=(4 - cls.start_time.weekday()) % 7 + 7 * (weeks - 1))
                for k in range(-3, 4):
                    strike = atm + k * step
                    for kind in ("C", "P"):
                        intrinsic = max(0.0, close - strike if kind == "C" else strike - close)
                        value = round(intrinsic + close * 0.02 * weeks ** 0.5 * rng.uniform(0.6, 1.2), 2)
                        options.append({"contract_symbol": f"{symbol}{expiry:%y%m%d}{kind}{int(strike * 1000):08d}",
                                        "symbol": symbol, "expiration": str(expiry), "kind": kind,
                                        "strike": float(strike), "last_price": value,
                                        "bid": round(value * 0.97, 2), "ask": round(value * 1.03 + 0.01, 2),
                                        "volume": rng.randrange(0, 20_000), "open_interest": rng.randrange(10, 90_000),
                                        "implied_volatility": round(rng.uniform(0.18, 0.75), 4)})
        db["tickers"].insert_all({"symbol": s, "company": c[0], "sector": c[1], "currency": "USD"}
                                 for s, c in COMPANIES.items())
        for table, rows in (("prices", prices), ("dividends", divs), ("income", income), ("cashflow", cash),
                            ("earnings", earns), ("news", news), ("ratings", ratings), ("options", options)):
            db[table].insert_all(rows)
        holdings = []
        for name in ("Retirement", "Tech bets", "Dividend income"):
            db["portfolios"].insert({"portfolio_name": name, "created": f"{cls.days_before_start(rng, 30, 700)}"})
            for symbol in rng.sample(sorted(COMPANIES), rng.randrange(3, 7)):
                holdings.append({"portfolio_name": name, "symbol": symbol, "shares": rng.randrange(2, 150),
                                 "cost_basis": round(COMPANIES[symbol][2] * rng.uniform(0.6, 1.1), 2)})
        db["holdings"].insert_all(holdings)

    # ------------------------------------------------------------------ helpers
    def _ticker(self, symbol: str) -> str:
        code = symbol.strip().upper()
        if not self.value("SELECT 1 FROM tickers WHERE symbol = ?", code):
            raise ToolError(f"no quote found for symbol '{code}'; check the ticker (e.g. AAPL)")
        return code

    def _last(self, symbol: str) -> float:
        return self.value("SELECT close FROM prices WHERE symbol = ? ORDER BY date DESC", symbol)

    @staticmethod
    def _span(start: str | None, end: str | None) -> None:
        if start and end and end < start:
            raise ToolError("end_date must not be before start_date")

    # ------------------------------------------------------------------ prices
    @tool(phrase=["check the current price of {symbol}", "find out what {symbol} trades at now"])
    def get_current_stock_price(self, symbol: Symbol) -> Price:
        """The latest price of a stock (the last close) and the close before it.

        Args:
            symbol: Ticker, e.g. "AAPL".
        """
        code = self._ticker(symbol)
        last, before = self.rows("SELECT date, close FROM prices WHERE symbol = ? ORDER BY date DESC LIMIT 2", code)
        return {"symbol": code, "current_price": last["close"], "currency": "USD", "previous_close": before["close"],
                "as_of": last["date"]}

    @tool(phrase=["find out how {symbol} opened and closed on {date}", "get the {date} open and close of {symbol}"])
    def get_stock_price_by_date(self, symbol: Symbol, date: Day) -> DayPrice:
        """A stock's open and close on one trading day.

        Args:
            symbol: Ticker.
            date: The day, YYYY-MM-DD.
        """
        code = self._ticker(symbol)
        found = self.row("SELECT date, open, close FROM prices WHERE symbol = ? AND date = ?", code, date)
        if found is None:
            first = self.value("SELECT MIN(date) FROM prices WHERE symbol = ?", code)
            raise ToolError(f"no trading data for {code} on {date}: markets were closed that day or it is outside "
                            f"the available history (from {first} to the last close)")
        return found

    @tool(phrase=["list the closing prices of {symbol} from {start_date} to {end_date}",
                  "show how {symbol} closed each day between {start_date} and {end_date}"])
    def get_stock_price_date_range(self, symbol: Symbol, start_date: Day, end_date: Day) -> Closing:
        """A stock's closing price on every trading day between two dates (inclusive).

        Args:
            symbol: Ticker.
            start_date: First day, YYYY-MM-DD.
            end_date: Last day, YYYY-MM-DD.
        """
        code = self._ticker(symbol)
        self._span(start_date, end_date)
        return {"symbol": code, "closing_prices": self.rows(
            "SELECT date, close FROM prices WHERE symbol = ? AND date BETWEEN ? AND ? ORDER BY date", code,
            start_date, end_date)}

    @tool(phrase=["show the[ {period}] price history of {symbol}[ in {interval} bars]",
                  "get me the daily prices of {symbol}[ over {period}]"])
    def get_historical_stock_prices(self, symbol: Symbol, period: Literal["5d", "1mo", "3mo"] = "1mo",
                                    interval: Literal["1d", "1wk"] = "1d") -> History:
        """Open, high, low, close and volume over a recent period, daily or weekly (a week ends on its last
        trading day), oldest first.

        Args:
            symbol: Ticker.
            period: How far back.
            interval: Bar size.
        """
        bars = self.rows("SELECT date, open, high, low, close, volume FROM (SELECT * FROM prices WHERE symbol = ?"
                         " ORDER BY date DESC LIMIT ?) ORDER BY date", self._ticker(symbol), PERIODS[period])
        if interval == "1wk":
            weeks: dict[str, list[dict[str, Any]]] = {}
            for bar in bars:
                weeks.setdefault(dt.date.fromisoformat(bar["date"]).strftime("%G-%V"), []).append(bar)
            bars = [{"date": w[-1]["date"], "open": w[0]["open"], "high": max(b["high"] for b in w),
                     "low": min(b["low"] for b in w), "close": w[-1]["close"], "volume": sum(b["volume"] for b in w)}
                    for w in weeks.values()]
        return {"price_history": bars}

    # ------------------------------------------------------------------ fundamentals
    @tool(phrase=["list the dividends {symbol} paid[ since {start_date}][ until {end_date}]"])
    def get_dividends(self, symbol: Symbol, start_date: Day | None = None, end_date: Day | None = None) -> Dividends:
        """Cash dividends per share by ex-dividend date, newest first (empty for stocks that pay none).

        Args:
            symbol: Ticker.
            start_date: Only from this day, YYYY-MM-DD.
            end_date: Only up to this day, YYYY-MM-DD.
        """
        code = self._ticker(symbol)
        self._span(start_date, end_date)
        return {"dividends": self.rows("SELECT ex_date, amount FROM dividends WHERE symbol = ?1 AND (?2 IS NULL OR"
                                       " ex_date >= ?2) AND (?3 IS NULL OR ex_date <= ?3) ORDER BY ex_date DESC",
                                       code, start_date, end_date)}

    @tool(phrase=["pull up the[ {freq}] income statements of {symbol}", "show {symbol}'s[ {freq}] revenue and earnings"])
    def get_income_statement(self, symbol: Symbol, freq: Freq = "yearly") -> Incomes:
        """Income statements (USD), newest period first: four fiscal years or the last four quarters.

        Args:
            symbol: Ticker.
            freq: yearly or quarterly.
        """
        return {"income_statements": self.rows(
            "SELECT period_end, total_revenue, gross_profit, operating_income, net_income, diluted_eps FROM income"
            " WHERE symbol = ? AND freq = ? ORDER BY period_end DESC", self._ticker(symbol), freq)}

    @tool(phrase=["pull up the[ {freq}] cash flow statements of {symbol}", "show {symbol}'s[ {freq}] free cash flow"])
    def get_cashflow(self, symbol: Symbol, freq: Freq = "yearly") -> Cashflows:
        """Cash-flow statements (USD; outflows negative), newest period first.

        Args:
            symbol: Ticker.
            freq: yearly or quarterly.
        """
        return {"cashflow_statements": self.rows(
            "SELECT period_end, operating_cash_flow, capital_expenditure, free_cash_flow, dividends_paid FROM cashflow"
            " WHERE symbol = ? AND freq = ? ORDER BY period_end DESC", self._ticker(symbol), freq)}

    @tool(phrase=["find out when {symbol} reports earnings", "show the earnings dates of {symbol}"])
    def get_earning_dates(self, symbol: Symbol, limit: Annotated[int, Field(ge=1, le=12)] = 12) -> Earnings:
        """Earnings report dates, newest first: the next one with its EPS estimate, past ones with the reported
        EPS and the surprise.

        Args:
            symbol: Ticker.
            limit: At most this many dates.
        """
        return {"earnings_dates": self.rows("SELECT date, eps_estimate, reported_eps, surprise_percent FROM earnings"
                                            " WHERE symbol = ? ORDER BY date DESC LIMIT ?", self._ticker(symbol), limit)}

    # ------------------------------------------------------------------ news and analysts
    @tool(phrase=["show the latest news about {symbol}[ since {start_date}]", "find recent headlines on {symbol}"])
    def get_news(self, symbol: Symbol, start_date: Day | None = None, end_date: Day | None = None,
                 limit: Annotated[int, Field(ge=1, le=50)] = 10) -> News:
        """News articles about a stock, newest first.

        Args:
            symbol: Ticker.
            start_date: Only from this day, YYYY-MM-DD.
            end_date: Only up to this day, YYYY-MM-DD.
            limit: At most this many articles.
        """
        code = self._ticker(symbol)
        self._span(start_date, end_date)
        return {"news_articles": self.rows(
            "SELECT title, publisher, published, symbol FROM news WHERE symbol = ?1 AND (?2 IS NULL OR published >= ?2)"
            " AND (?3 IS NULL OR published < date(?3, '+1 day')) ORDER BY published DESC LIMIT ?4",
            code, start_date, end_date, limit)}

    @tool(phrase=["search the news for {query}", "find articles mentioning {query}"])
    def search_news(self, query: NonEmptyStr, limit: Annotated[int, Field(ge=1, le=50)] = 10) -> News:
        """Articles about any stock whose headline contains the text (case-insensitive), newest first.

        Args:
            query: Text to look for in headlines.
            limit: At most this many articles.
        """
        matches, params = self.text_filter("news", query)
        return {"news_articles": self.rows(f"SELECT title, publisher, published, symbol FROM news WHERE {matches}"
                                           " ORDER BY published DESC LIMIT ?", *params, limit)}

    @tool(phrase=["show analyst upgrades and downgrades of {symbol}", "find out what analysts say about {symbol}"])
    def get_recommendations(self, symbol: Symbol) -> Ratings:
        """Analyst rating changes (firm, new and previous grade, action: up, down, main or init), newest first.

        Args:
            symbol: Ticker.
        """
        return {"recommendations": self.rows("SELECT date, firm, to_grade, from_grade, action FROM ratings WHERE"
                                             " symbol = ? ORDER BY date DESC, rating_id", self._ticker(symbol))}

    # ------------------------------------------------------------------ options
    @tool(phrase=["list the option expiration dates of {symbol}"])
    def get_option_expiration_dates(self, symbol: Symbol) -> Expirations:
        """Expiration dates with listed options, soonest first.

        Args:
            symbol: Ticker.
        """
        return {"expiration_dates": [r["expiration"] for r in self.rows(
            "SELECT DISTINCT expiration FROM options WHERE symbol = ? ORDER BY expiration", self._ticker(symbol))]}

    @tool(phrase=["show the {symbol} option chain expiring {expiration_date}"])
    def get_option_chain(self, symbol: Symbol, expiration_date: Day) -> Chain:
        """Calls and puts of one expiration, by strike, with the underlying's last price.

        Args:
            symbol: Ticker.
            expiration_date: An expiration from get_option_expiration_dates, YYYY-MM-DD.
        """
        code = self._ticker(symbol)
        calls = self.rows(f"{CONTRACT} WHERE symbol = ? AND expiration = ? AND kind = 'C' ORDER BY strike", code,
                          expiration_date)
        if not calls:
            raise ToolError(f"{code} has no options expiring {expiration_date}; get_option_expiration_dates lists "
                            "the expirations")
        puts = self.rows(f"{CONTRACT} WHERE symbol = ? AND expiration = ? AND kind = 'P' ORDER BY strike", code,
                         expiration_date)
        return {"underlyingPrice": self._last(code), "expiration_date": expiration_date, "calls": calls, "puts": puts}

    # ------------------------------------------------------------------ portfolios
    def _portfolio(self, name: str) -> str:
        found = self.value("SELECT portfolio_name FROM portfolios WHERE portfolio_name = ?", name.strip())
        if found is None:
            names = ", ".join(r["portfolio_name"] for r in self.rows("SELECT portfolio_name FROM portfolios ORDER BY 1"))
            raise ToolError(f"you have no portfolio named '{name.strip()}'; your portfolios: {names or 'none'}")
        return found

    @tool(phrase=["show my {portfolio_name} portfolio", "check how my {portfolio_name} portfolio is doing"])
    def get_portfolio(self, portfolio_name: PortfolioName) -> Portfolio:
        """A saved portfolio's holdings with their current value and gain, by symbol.

        Args:
            portfolio_name: The portfolio's name.
        """
        return self._portfolio_view(self._portfolio(portfolio_name))

    def _portfolio_view(self, name: str) -> Portfolio:
        """get_portfolio's answer for a portfolio (its stored name); each holding priced at its last close."""
        holdings = []
        for symbol, shares, cost_basis, price in self.conn.execute(
                "SELECT symbol, shares, cost_basis, (SELECT close FROM prices p WHERE p.symbol = h.symbol ORDER BY"
                " date DESC) AS price FROM holdings h WHERE portfolio_name = ? ORDER BY symbol", (name,)):
            holdings.append({"symbol": symbol, "shares": shares, "cost_basis": cost_basis, "current_price": price,
                             "market_value": round(shares * price, 2), "gain": round(shares * (price - cost_basis), 2)})
        return {"portfolio_name": name, "holdings": holdings,
                "total_value": round(sum(h["market_value"] for h in holdings), 2)}

    @tool(writes=True, phrase=["create a portfolio called {portfolio_name}", "start a new portfolio named "
                                                                                "{portfolio_name}"])
    def create_portfolio(self, portfolio_name: PortfolioName) -> Portfolio:
        """Create an empty portfolio (at most 10; names are unique, ignoring case).

        Args:
            portfolio_name: A name for the portfolio.
        """
        name = portfolio_name.strip()
        taken, saved = self.conn.execute("SELECT EXISTS (SELECT 1 FROM portfolios WHERE portfolio_name = ?),"
                                         " (SELECT COUNT(*) FROM portfolios)", (name,)).fetchone()
        if taken:
            raise ToolError(f"a portfolio named '{name}' already exists")
        if saved >= 10:
            raise ToolError("you already have 10 portfolios, the most allowed; delete one first")
        self.execute("INSERT INTO portfolios VALUES (?, ?)", name, str(self.now().date()))
        return {"portfolio_name": name, "holdings": [], "total_value": 0.0}

    @tool(writes=True, phrase=["add {shares} shares of {symbol} bought at ${cost_basis} to my {portfolio_name}"
                               " portfolio", "record a purchase of {shares} {symbol} at ${cost_basis} in "
                                             "{portfolio_name}"])
    def add_holding(self, portfolio_name: PortfolioName, symbol: Symbol,
                    shares: Annotated[float, Field(gt=0, le=1_000_000)],
                    cost_basis: Annotated[float, Field(gt=0, le=1_000_000)]) -> Portfolio:
        """Add shares of a stock to a portfolio at a purchase price per share; adding to a stock already held
        averages the cost basis.

        Args:
            portfolio_name: The portfolio's name.
            symbol: Ticker.
            shares: Number of shares.
            cost_basis: Price paid per share in USD.
        """
        code = symbol.strip().upper()
        # a stock not held yet goes into an existing portfolio in one statement (returning the portfolio's stored
        # name); a stock already held, or an error, takes _add_checked
        name = self.value("INSERT INTO holdings (portfolio_name, symbol, shares, cost_basis) SELECT portfolio_name,"
                          " ?2, ?3, ?4 FROM portfolios p WHERE portfolio_name = ?1 AND EXISTS (SELECT 1 FROM tickers"
                          " WHERE symbol = ?2) AND NOT EXISTS (SELECT 1 FROM holdings h WHERE h.portfolio_name ="
                          " p.portfolio_name AND h.symbol = ?2) RETURNING portfolio_name", portfolio_name.strip(),
                          code, shares, round(cost_basis, 2))
        if name is None:
            name = self._add_checked(portfolio_name, symbol, shares, cost_basis)
        return self._portfolio_view(name)

    def _add_checked(self, portfolio_name: str, symbol: str, shares: float, cost_basis: float) -> str:
        """add_holding with its checks (the portfolio, the ticker, then a new or averaged holding); returns the
        portfolio's stored name."""
        code = symbol.strip().upper()
        # the portfolio's stored name, whether the ticker exists, and the holding of it (NULLs when there is none)
        held = self.row("SELECT p.portfolio_name, EXISTS (SELECT 1 FROM tickers WHERE symbol = ?2) AS known, h.shares,"
                        " h.cost_basis FROM (SELECT 1) LEFT JOIN portfolios p ON p.portfolio_name = ?1 LEFT JOIN"
                        " holdings h ON h.portfolio_name = p.portfolio_name AND h.symbol = ?2",
                        portfolio_name.strip(), code)
        name = held["portfolio_name"] if held["portfolio_name"] is not None else self._portfolio(portfolio_name)
        if not held["known"]:
            self._ticker(symbol)  # raises its error
        if held["shares"] is not None:
            total = held["shares"] + shares
            average = round((held["shares"] * held["cost_basis"] + shares * cost_basis) / total, 2)
            self.execute("UPDATE holdings SET shares = ?, cost_basis = ? WHERE portfolio_name = ? AND symbol = ?",
                         total, average, name, code)
        else:
            self.execute("INSERT INTO holdings (portfolio_name, symbol, shares, cost_basis) VALUES (?, ?, ?, ?)",
                         name, code, shares, round(cost_basis, 2))
        return name

    @tool(writes=True, phrase=["remove {symbol} from my {portfolio_name} portfolio",
                               "drop my {symbol} position from {portfolio_name}"])
    def remove_holding(self, portfolio_name: PortfolioName, symbol: Symbol) -> Portfolio:
        """Remove a stock (all its shares) from a portfolio.

        Args:
            portfolio_name: The portfolio's name.
            symbol: Ticker.
        """
        code = symbol.strip().upper()
        # deleted in one statement when the portfolio holds the stock; otherwise the portfolio check raises, else
        # the stock is not there
        name = self.value("DELETE FROM holdings WHERE portfolio_name = (SELECT portfolio_name FROM portfolios WHERE"
                          " portfolio_name = ?) AND symbol = ? RETURNING portfolio_name", portfolio_name.strip(), code)
        if name is None:
            name = self._portfolio(portfolio_name)
            raise ToolError(f"{code} is not in your '{name}' portfolio; get_portfolio shows its holdings")
        return self._portfolio_view(name)
