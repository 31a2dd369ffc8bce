"""KospiKosdaqStock: Korea Exchange (KRX) market data for KOSPI and KOSDAQ listings, in the shape of pykrx (daily
OHLCV, market cap, PER/PBR/dividend yield, trading by investor type), with the user's interest groups (관심종목)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

#: ticker -> (name, market, sector, price in KRW, shares listed in millions, EPS in KRW, BPS in KRW, DPS in KRW)
STOCKS = {
    "005930": ("Samsung Electronics", "KOSPI", "Semiconductors", 73000, 5969, 2130, 52000, 1444),
    "000660": ("SK hynix", "KOSPI", "Semiconductors", 178000, 728, 12400, 98000, 1200),
    "373220": ("LG Energy Solution", "KOSPI", "Batteries", 360000, 234, 4300, 107000, 0),
    "207940": ("Samsung Biologics", "KOSPI", "Biotech", 810000, 71, 11000, 142000, 0),
    "005380": ("Hyundai Motor", "KOSPI", "Automobiles", 235000, 209, 43000, 390000, 11400),
    "000270": ("Kia", "KOSPI", "Automobiles", 98000, 397, 22000, 128000, 5600),
    "068270": ("Celltrion", "KOSPI", "Biotech", 185000, 216, 1900, 77000, 500),
    "035420": ("NAVER", "KOSPI", "Internet", 175000, 158, 9400, 168000, 1100),
    "035720": ("Kakao", "KOSPI", "Internet", 41000, 443, 320, 24000, 61),
    "051910": ("LG Chem", "KOSPI", "Chemicals", 320000, 71, 14000, 480000, 3500),
    "006400": ("Samsung SDI", "KOSPI", "Batteries", 290000, 69, 27000, 350000, 1000),
    "105560": ("KB Financial Group", "KOSPI", "Banks", 78000, 393, 12800, 150000, 3060),
    "055550": ("Shinhan Financial Group", "KOSPI", "Banks", 52000, 509, 8900, 110000, 2100),
    "012330": ("Hyundai Mobis", "KOSPI", "Auto Parts", 230000, 92, 37000, 520000, 4500),
    "066570": ("LG Electronics", "KOSPI", "Electronics", 92000, 163, 4000, 128000, 800),
    "017670": ("SK Telecom", "KOSPI", "Telecom", 52000, 214, 4200, 55000, 3540),
    "015760": ("Korea Electric Power", "KOSPI", "Utilities", 21000, 641, 1600, 56000, 0),
    "032830": ("Samsung Life Insurance", "KOSPI", "Insurance", 88000, 200, 9700, 190000, 3700),
    "247540": ("EcoPro BM", "KOSDAQ", "Batteries", 190000, 97, 260, 16000, 0),
    "086520": ("EcoPro", "KOSDAQ", "Batteries", 95000, 133, 150, 9000, 0),
    "196170": ("Alteogen", "KOSDAQ", "Biotech", 320000, 53, 120, 5200, 0),
    "028300": ("HLB", "KOSDAQ", "Biotech", 78000, 131, -900, 7000, 0),
    "263750": ("Pearl Abyss", "KOSDAQ", "Games", 36000, 63, 300, 14000, 0),
    "293490": ("Kakao Games", "KOSDAQ", "Games", 19000, 82, -400, 21000, 0),
    "035900": ("JYP Entertainment", "KOSDAQ", "Entertainment", 62000, 35, 3100, 12000, 559),
    "041510": ("SM Entertainment", "KOSDAQ", "Entertainment", 78000, 24, 4900, 42000, 1200),
    "058470": ("Leeno Industrial", "KOSDAQ", "Semiconductor Equipment", 210000, 15, 8700, 45000, 3000),
    "145020": ("Hugel", "KOSDAQ", "Biotech", 230000, 12, 9800, 70000, 0),
    "240810": ("Wonik IPS", "KOSDAQ", "Semiconductor Equipment", 33000, 49, 600, 18000, 100),
    "357780": ("Soulbrain", "KOSDAQ", "Chemicals", 250000, 8, 16000, 120000, 1400),
}
INVESTORS = ("institutional", "other_corporations", "individual", "foreign")
GROUPS = {"Chips": ["005930", "000660", "058470", "240810"], "Battery plays": ["373220", "006400", "247540"],
          "Dividends": ["105560", "055550", "017670", "032830"]}
TRADING_DAYS = 40
MAX_GROUPS, MAX_GROUP_STOCKS = 10, 30
KrxDate = Annotated[str, Field(pattern=r"^\d{4}-?\d{2}-?\d{2}$", description="YYYYMMDD")]
Ticker = Annotated[str, UserKnown, Field(pattern=r"^\d{6}$")]

Ohlcv = TypedDict("Ohlcv", {"date": str, "open": int, "high": int, "low": int, "close": int, "volume": int,
                            "trading_value": int, "change_rate": float})
Cap = TypedDict("Cap", {"date": str, "market_cap": int, "volume": int, "trading_value": int, "shares": int})
Fundamental = TypedDict("Fundamental", {"date": str, "bps": int, "per": float, "pbr": float, "eps": int,
                                        "div": float, "dps": int})
Flow = TypedDict("Flow", {"investor": str, "sell": int, "buy": int, "net_buy": int})
Series = TypedDict("Series", {"ticker": str, "name": str, "data": list[Any]})
OhlcvSeries = TypedDict("OhlcvSeries", {"ticker": str, "name": str, "adjusted": bool, "data": list[Ohlcv]})
Listing = TypedDict("Listing", {"ticker": str, "name": str, "market": str, "sector": str, "close": int})
Member = TypedDict("Member", {"ticker": str, "name": str, "added_on": str})
Group = TypedDict("Group", {"group_id": int, "name": str, "stocks": list[Member]})


def krx_day(text: str) -> str:
    """A KRX date (YYYYMMDD, dashes allowed) as stored, YYYYMMDD."""
    day = text.replace("-", "")
    try:
        dt.date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError:
        raise ToolError(f"'{text}' is not a calendar date; use YYYYMMDD, e.g. 20260227") from None
    return day


class KospiKosdaqStock(World):
    """Korea Exchange market data: stocks listed on KOSPI and KOSDAQ by six-digit ticker (005930 is Samsung
    Electronics), daily prices and volume in KRW, market cap, valuation ratios (PER, PBR, dividend yield) and the
    volume each investor type bought and sold; plus the user's interest groups of stocks. Dates are YYYYMMDD;
    the market trades on weekdays."""

    domain = "Finance"
    schema = """
    CREATE TABLE stocks (ticker TEXT PRIMARY KEY, name TEXT NOT NULL, market TEXT NOT NULL, sector TEXT NOT NULL,
                         shares INTEGER NOT NULL, split_date TEXT, split_ratio INTEGER NOT NULL DEFAULT 1);
    CREATE INDEX stocks_by_market ON stocks (market, sector);
    CREATE TABLE daily (ticker TEXT NOT NULL REFERENCES stocks, date TEXT NOT NULL, open INTEGER NOT NULL,
                        high INTEGER NOT NULL, low INTEGER NOT NULL, close INTEGER NOT NULL, volume INTEGER NOT NULL,
                        eps INTEGER NOT NULL, bps INTEGER NOT NULL, dps INTEGER NOT NULL, PRIMARY KEY (ticker, date));
    CREATE TABLE investor_flows (ticker TEXT NOT NULL REFERENCES stocks, date TEXT NOT NULL, investor TEXT NOT NULL,
                                 sell INTEGER NOT NULL, buy INTEGER NOT NULL, PRIMARY KEY (ticker, date, investor));
    CREATE TABLE interest_groups (group_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE);
    CREATE TABLE group_stocks (group_id INTEGER NOT NULL REFERENCES interest_groups, ticker TEXT NOT NULL
                               REFERENCES stocks, added_on TEXT NOT NULL, PRIMARY KEY (group_id, ticker));
    """
    volatile = {"group_stocks": ("added_on",)}
    text_search = {"stocks": ("name",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        days = [d for d in (cls.start_time.date() - dt.timedelta(days=n) for n in range(1, 100)) if d.weekday() < 5]
        days = [d.strftime("%Y%m%d") for d in sorted(days[:TRADING_DAYS])]
        split = dict(zip(rng.sample(sorted(STOCKS), 2), rng.sample(days[10:-10], 2)))
        stocks, daily, flows = [], [], []
        for ticker, (name, market, sector, price, shares, eps, bps, dps) in STOCKS.items():
            tick = 100 if price >= 100000 else 50 if price >= 20000 else 10
            price *= rng.uniform(0.85, 1.15)
            vol = 0.018 if market == "KOSPI" else 0.03
            stocks.append({"ticker": ticker, "name": name, "market": market, "sector": sector,
                           "shares": shares * 1_000_000, "split_date": split.get(ticker),
                           "split_ratio": rng.choice([5, 10]) if ticker in split else 1})
            for day in days:
                close = price * (1 + max(min(rng.gauss(0, vol), 0.3), -0.3))  # KRX daily limit is +-30%
                high, low = max(price, close) * (1 + rng.uniform(0, vol / 2)), min(price, close) * (
                    1 - rng.uniform(0, vol / 2))
                volume = int(shares * 1_000_000 * rng.uniform(0.001, 0.008))
                daily.append({"ticker": ticker, "date": day, **{k: int(v // tick * tick) for k, v in (
                    ("open", price), ("high", high), ("low", low), ("close", close))}, "volume": volume,
                    "eps": eps, "bps": bps, "dps": dps})
                shares_left = volume
                for investor in INVESTORS:
                    part = shares_left if investor == "foreign" else int(volume * rng.uniform(0.05, 0.35))
                    shares_left -= part
                    skew = rng.uniform(-0.3, 0.3)
                    flows.append({"ticker": ticker, "date": day, "investor": investor,
                                  "sell": int(part * (1 - skew) / 2 + volume * 0.1),
                                  "buy": int(part * (1 + skew) / 2 + volume * 0.1)})
                price = close
        db["stocks"].insert_all(stocks)
        db["daily"].insert_all(daily)
        db["investor_flows"].insert_all(flows)
        for number, (name, tickers) in enumerate(GROUPS.items(), start=1):
            db["interest_groups"].insert({"group_id": number, "name": name})
            db["group_stocks"].insert_all({"group_id": number, "ticker": t, "added_on": str(
                cls.days_before_start(rng, 20, 200))} for t in tickers)

    def _stock(self, ticker: str) -> dict[str, Any]:
        return self.require("SELECT * FROM stocks WHERE ticker = ?", ticker,
                            error=f"no KOSPI or KOSDAQ listing with ticker '{ticker}'; search_stock finds a ticker "
                                  "by company name")

    def _days(self, fromdate: str, todate: str, ticker: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        stock, start, end = self._stock(ticker), krx_day(fromdate), krx_day(todate)
        if end < start:
            raise ToolError("todate must not be before fromdate")
        rows = self.rows("SELECT * FROM daily WHERE ticker = ? AND date BETWEEN ? AND ? ORDER BY date",
                         ticker, start, end)
        if not rows:
            first, last = self.row("SELECT MIN(date) AS a, MAX(date) AS b FROM daily WHERE ticker = ?",
                                   ticker).values()
            raise ToolError(f"no trading days for {ticker} between {start} and {end}; data covers {first} to {last} "
                            "(weekdays only)")
        return stock, rows

    @tool(phrase=["show the daily prices of {ticker} from {fromdate} to {todate}",
                  "get {ticker}'s OHLCV between {fromdate} and {todate}"])
    def get_stock_ohlcv(self, fromdate: KrxDate, todate: KrxDate, ticker: Ticker, adjusted: bool = True
                        ) -> OhlcvSeries:
        """Daily open, high, low, close (KRW), volume, trading value and change rate (%) of a stock. Adjusted prices
        account for stock splits; unadjusted ones are the prices printed on the day.

        Args:
            fromdate: First day, YYYYMMDD.
            todate: Last day, YYYYMMDD.
            ticker: Six-digit KRX ticker, e.g. "005930".
            adjusted: Split-adjusted prices (default) or raw ones.
        """
        stock, rows = self._days(fromdate, todate, ticker)
        previous = self.value("SELECT close FROM daily WHERE ticker = ? AND date < ? ORDER BY date DESC LIMIT 1",
                              ticker, rows[0]["date"]) or rows[0]["open"]
        data = []
        for r in rows:
            ratio = stock["split_ratio"] if not adjusted and r["date"] < (stock["split_date"] or "") else 1
            prices = {k: r[k] * ratio for k in ("open", "high", "low", "close")}
            data.append({"date": r["date"], **prices, "volume": r["volume"] // ratio,
                         "trading_value": r["close"] * r["volume"],
                         "change_rate": round((r["close"] / previous - 1) * 100, 2)})
            previous = r["close"]
        return {"ticker": ticker, "name": stock["name"], "adjusted": adjusted, "data": data}

    @tool(phrase=["what was {ticker}'s market cap from {fromdate} to {todate}",
                  "show the market capitalisation of {ticker} between {fromdate} and {todate}"])
    def get_stock_market_cap(self, fromdate: KrxDate, todate: KrxDate, ticker: Ticker) -> Series:
        """Daily market capitalisation (KRW), volume, trading value and listed shares of a stock.

        Args:
            fromdate: First day, YYYYMMDD.
            todate: Last day, YYYYMMDD.
            ticker: Six-digit KRX ticker.
        """
        stock, rows = self._days(fromdate, todate, ticker)
        return {"ticker": ticker, "name": stock["name"], "data": [
            {"date": r["date"], "market_cap": r["close"] * stock["shares"], "volume": r["volume"],
             "trading_value": r["close"] * r["volume"], "shares": stock["shares"]} for r in rows]}

    @tool(phrase=["get {ticker}'s PER, PBR and dividend yield from {fromdate} to {todate}",
                  "show the valuation ratios of {ticker} between {fromdate} and {todate}"])
    def get_stock_fundamental(self, fromdate: KrxDate, todate: KrxDate, ticker: Ticker) -> Series:
        """Daily valuation of a stock: BPS, PER, PBR, EPS, dividend yield (DIV, %) and DPS. PER is 0 when the
        company lost money.

        Args:
            fromdate: First day, YYYYMMDD.
            todate: Last day, YYYYMMDD.
            ticker: Six-digit KRX ticker.
        """
        stock, rows = self._days(fromdate, todate, ticker)
        return {"ticker": ticker, "name": stock["name"], "data": [
            {"date": r["date"], "bps": r["bps"], "per": round(r["close"] / r["eps"], 2) if r["eps"] > 0 else 0.0,
             "pbr": round(r["close"] / r["bps"], 2), "eps": r["eps"], "div": round(r["dps"] / r["close"] * 100, 2),
             "dps": r["dps"]} for r in rows]}

    @tool(phrase=["who bought and sold {ticker} from {fromdate} to {todate}",
                  "break down {ticker}'s trading by investor type between {fromdate} and {todate}"])
    def get_stock_trading_volume(self, fromdate: KrxDate, todate: KrxDate, ticker: Ticker) -> Series:
        """Shares sold and bought by each investor type (institutional, other corporations, individual, foreign)
        over the period, and their net buying.

        Args:
            fromdate: First day, YYYYMMDD.
            todate: Last day, YYYYMMDD.
            ticker: Six-digit KRX ticker.
        """
        stock, rows = self._days(fromdate, todate, ticker)
        return {"ticker": ticker, "name": stock["name"], "data": self.rows(
            "SELECT investor, SUM(sell) AS sell, SUM(buy) AS buy, SUM(buy) - SUM(sell) AS net_buy FROM investor_flows"
            " WHERE ticker = ? AND date BETWEEN ? AND ? GROUP BY investor ORDER BY net_buy DESC, investor",
            ticker, rows[0]["date"], rows[-1]["date"])}

    @tool(phrase=["find the ticker of {name}", "look up {name} on the Korean exchange[ ({market})]"])
    def search_stock(self, name: NonEmptyStr, market: Literal["KOSPI", "KOSDAQ"] | None = None) -> list[Listing]:
        """Find listed stocks by (part of) the company name, with the latest close.

        Args:
            name: Part of the company name, e.g. "Samsung".
            market: Only this market.
        """
        matches, params = self.text_filter("stocks", name)
        return self.rows(
            "SELECT stocks.ticker, name, market, sector, close FROM stocks JOIN daily ON daily.ticker = stocks.ticker"
            f" AND date = (SELECT MAX(date) FROM daily) WHERE {matches} AND (? IS NULL OR market = ?)"
            " ORDER BY stocks.ticker", *params, market, market)

    def _group(self, group_id: int) -> Group:
        group = self.require("SELECT * FROM interest_groups WHERE group_id = ?", group_id,
                             error=f"no interest group {group_id}; list_interest_groups shows yours")
        return {**group, "stocks": self.rows(  # type: ignore[typeddict-item]
            "SELECT g.ticker, s.name, g.added_on FROM group_stocks g JOIN stocks s ON s.ticker = g.ticker"
            " WHERE g.group_id = ? ORDER BY g.added_on, g.ticker", group_id)}

    @tool(phrase=["show my interest groups", "list the stocks in my interest groups"])
    def list_interest_groups(self) -> list[Group]:
        """The user's interest groups (관심종목) and the stocks in each."""
        return [self._group(r["group_id"]) for r in self.rows("SELECT group_id FROM interest_groups ORDER BY 1")]

    @tool(writes=True, phrase=["create an interest group called '{name}'", "make a new stock group named {name}"])
    def create_interest_group(self, name: Annotated[str, Field(min_length=1, max_length=30, pattern=r"\S")]
                              ) -> Group:
        """Create an empty interest group (at most 10 groups; names are unique).

        Args:
            name: The group's name.
        """
        if self.row("SELECT 1 FROM interest_groups WHERE name = ?", name.strip()):
            raise ToolError(f"an interest group named '{name.strip()}' already exists")
        if self.value("SELECT COUNT(*) FROM interest_groups") >= MAX_GROUPS:
            raise ToolError(f"you already have {MAX_GROUPS} interest groups, the most allowed; delete one first")
        group_id = self.value("SELECT COALESCE(MAX(group_id), 0) + 1 FROM interest_groups")
        self.execute("INSERT INTO interest_groups VALUES (?, ?)", group_id, name.strip())
        self.mark_generated("interest_groups", group_id)
        return self._group(group_id)

    @tool(writes=True, phrase=["add {ticker} to {group_id}", "put {ticker} in {group_id}"])
    def add_to_interest_group(self, group_id: int, ticker: Ticker) -> Group:
        """Add a stock to an interest group (at most 30 stocks per group).

        Args:
            group_id: The group's number.
            ticker: Six-digit KRX ticker.
        """
        group, stock = self._group(group_id), self._stock(ticker)
        if any(s["ticker"] == ticker for s in group["stocks"]):
            raise ToolError(f"{stock['name']} ({ticker}) is already in '{group['name']}'")
        if len(group["stocks"]) >= MAX_GROUP_STOCKS:
            raise ToolError(f"'{group['name']}' already holds {MAX_GROUP_STOCKS} stocks; remove one first")
        self.execute("INSERT INTO group_stocks VALUES (?, ?, ?)", group_id, ticker, self.now().date().isoformat())
        return self._group(group_id)

    @tool(writes=True, phrase=["remove {ticker} from {group_id}", "take {ticker} out of {group_id}"])
    def remove_from_interest_group(self, group_id: int, ticker: Ticker) -> Group:
        """Remove a stock from an interest group.

        Args:
            group_id: The group's number.
            ticker: Six-digit KRX ticker.
        """
        group = self._group(group_id)
        if not self.execute("DELETE FROM group_stocks WHERE group_id = ? AND ticker = ?", group_id, ticker):
            raise ToolError(f"{ticker} is not in '{group['name']}'")
        return self._group(group_id)
