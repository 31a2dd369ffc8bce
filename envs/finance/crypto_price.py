"""CryptoPrice: a crypto market data service (quotes, exchange spreads, hourly history) with a portfolio and
price alerts."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

#: symbol -> (name, reference price in USD, circulating supply in millions, hourly volatility)
COINS = {
    "BTC": ("Bitcoin", 67000, 19.8, 0.006), "ETH": ("Ethereum", 3400, 120.1, 0.008),
    "USDT": ("Tether", 1.0, 110000, 0.0002), "BNB": ("BNB", 580, 146, 0.008), "SOL": ("Solana", 150, 465, 0.011),
    "XRP": ("XRP", 0.52, 55000, 0.009), "USDC": ("USD Coin", 1.0, 33000, 0.0002), "DOGE": ("Dogecoin", 0.15, 145000,
                                                                                             0.012),
    "ADA": ("Cardano", 0.45, 35500, 0.01), "TRX": ("TRON", 0.12, 87000, 0.006), "AVAX": ("Avalanche", 35, 393, 0.012),
    "LINK": ("Chainlink", 15, 587, 0.011), "DOT": ("Polkadot", 7.1, 1440, 0.01), "TON": ("Toncoin", 6.8, 2460, 0.01),
    "SHIB": ("Shiba Inu", 0.000024, 589000000, 0.013), "LTC": ("Litecoin", 82, 74.6, 0.009),
    "BCH": ("Bitcoin Cash", 460, 19.7, 0.01), "XLM": ("Stellar", 0.11, 29000, 0.009),
    "UNI": ("Uniswap", 9.5, 600, 0.012), "ATOM": ("Cosmos", 8.6, 390, 0.011), "NEAR": ("NEAR Protocol", 6.2, 1070,
                                                                                     0.013),
    "APT": ("Aptos", 8.9, 440, 0.013), "ARB": ("Arbitrum", 1.05, 2900, 0.013), "OP": ("Optimism", 2.4, 1070, 0.013),
    "FIL": ("Filecoin", 5.8, 560, 0.012), "ETC": ("Ethereum Classic", 26, 147, 0.01),
    "HBAR": ("Hedera", 0.09, 35700, 0.011), "AAVE": ("Aave", 95, 14.8, 0.012),
}
EXCHANGES = ["Binance", "Coinbase", "Kraken", "OKX", "Bybit", "KuCoin", "Bitstamp", "Gemini"]
EXCHANGE_WEIGHT = {"Binance": 30, "Coinbase": 14, "Kraken": 7, "OKX": 14, "Bybit": 12, "KuCoin": 8, "Bitstamp": 3,
                   "Gemini": 2}
HOURS = 168  # seven days of hourly candles
INTERVAL_HOURS = {"1h": 1, "4h": 4, "1d": 24}
MAX_ACTIVE_ALERTS = 5
TIME_FORMAT = "%Y-%m-%d %H:%M"
Symbol = Annotated[str, UserKnown, Field(pattern=r"^[A-Za-z0-9]{2,10}$")]
Exchanges = Annotated[list[Literal[tuple(EXCHANGES)]], Field(min_length=1, max_length=8)]  # type: ignore[misc]
Price = Annotated[float, Field(gt=0, le=10_000_000)]
Quantity = Annotated[float, Field(gt=0, le=1e12)]

Quote = TypedDict("Quote", {"symbol": str, "name": str, "price_usd": float, "change_24h_percent": float,
                            "volume_24h": float, "market_cap": float, "market_rank": int,
                            "exchanges_prices": dict[str, float]})
ExchangeVolume = TypedDict("ExchangeVolume", {"exchange": str, "price_usd": float, "volume_24h": float})
Analysis = TypedDict("Analysis", {"symbol": str, "top_exchanges": list[ExchangeVolume],
                                  "price_variations": dict[str, float], "volume_distribution": dict[str, float],
                                  "vwap": float, "exchanges_prices": dict[str, float]})
History = TypedDict("History", {"symbol": str, "interval": str, "price_trends": list[float],
                                "volatility_metrics": dict[str, float], "high_price": float, "low_price": float,
                                "analysis_summary": str})
CoinHit = TypedDict("CoinHit", {"symbol": str, "name": str, "market_rank": int, "price_usd": float})
Holding = TypedDict("Holding", {"symbol": str, "quantity": float, "average_cost_usd": float, "price_usd": float,
                                "value_usd": float, "profit_usd": float})
Portfolio = TypedDict("Portfolio", {"holdings": list[Holding], "total_value_usd": float, "total_profit_usd": float})
Trade = TypedDict("Trade", {"trade_id": str, "symbol": str, "side": str, "quantity": float, "price_usd": float,
                            "time": str, "holding_quantity": float})
Alert = TypedDict("Alert", {"alert_id": str, "symbol": str, "condition": str, "target_price": float, "note": str,
                            "status": str, "created_at": str})


def rounded(price: float) -> float:
    """A price to the precision exchanges quote it (more decimals for sub-dollar coins)."""
    return round(price, 2 if price >= 10 else 4 if price >= 0.01 else 8)


class CryptoPrice(World):
    """Cryptocurrency market data in USD: current quotes (price, 24h change and volume, market cap, rank) with the
    price on each exchange, hourly price history for the last seven days, and the user's portfolio (recorded buys and
    sells) and price alerts. Coins are named by ticker symbol (BTC, ETH, SOL...)."""

    domain = "Finance"
    schema = """
    CREATE TABLE coins (symbol TEXT PRIMARY KEY, name TEXT NOT NULL, supply REAL NOT NULL);
    CREATE TABLE candles (symbol TEXT NOT NULL REFERENCES coins, hour INTEGER NOT NULL, time TEXT NOT NULL,
                          open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL,
                          volume_usd REAL NOT NULL, PRIMARY KEY (symbol, hour));
    CREATE TABLE listings (symbol TEXT NOT NULL REFERENCES coins, exchange TEXT NOT NULL, premium REAL NOT NULL,
                           volume_share REAL NOT NULL, PRIMARY KEY (symbol, exchange));
    CREATE TABLE holdings (symbol TEXT PRIMARY KEY REFERENCES coins, quantity REAL NOT NULL,
                           average_cost_usd REAL NOT NULL);
    CREATE TABLE trades (trade_id TEXT PRIMARY KEY, symbol TEXT NOT NULL REFERENCES coins, side TEXT NOT NULL,
                         quantity REAL NOT NULL, price_usd REAL NOT NULL, time TEXT NOT NULL);
    CREATE INDEX trades_by_symbol ON trades (symbol, time);
    CREATE TABLE alerts (alert_id TEXT PRIMARY KEY, symbol TEXT NOT NULL REFERENCES coins,
                         condition TEXT NOT NULL CHECK (condition IN ('above', 'below')), target_price REAL NOT NULL,
                         note TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE INDEX alerts_by_symbol ON alerts (symbol, status);
    """
    volatile = {"trades": ("time",), "alerts": ("created_at",)}
    text_search = {"coins": ("symbol", "name"), "alerts": ("note",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        first = cls.start_time - dt.timedelta(hours=HOURS)
        candles, listings, closes = [], [], {}
        for symbol, (name, reference, supply, vol) in COINS.items():
            price = reference * rng.uniform(0.85, 1.15)
            base_volume = price * supply * 1e6 * rng.uniform(0.01, 0.05) / 24
            for hour in range(HOURS):
                step = rng.gauss(0, vol) if vol > 0.001 else rng.gauss(0, vol) - (price - 1) * 0.5
                close = price * math.exp(step)
                high, low = max(price, close) * (1 + abs(rng.gauss(0, vol / 2))), min(price, close) * (
                    1 - abs(rng.gauss(0, vol / 2)))
                candles.append({"symbol": symbol, "hour": hour, "time": (first + dt.timedelta(hours=hour)).strftime(
                    TIME_FORMAT), "open": rounded(price), "high": rounded(high), "low": rounded(low),
                    "close": rounded(close), "volume_usd": round(base_volume * rng.uniform(0.5, 1.6), 2)})
                price = close
            closes[symbol] = rounded(price)
            venues = EXCHANGES if supply * reference > 20000 else rng.sample(EXCHANGES, rng.randrange(3, 7))
            weights = {v: EXCHANGE_WEIGHT[v] * rng.uniform(0.6, 1.4) for v in venues}
            listings += [{"symbol": symbol, "exchange": v, "premium": round(rng.gauss(0, 0.0015), 5),
                          "volume_share": round(w / sum(weights.values()), 4)} for v, w in weights.items()]
        db["coins"].insert_all({"symbol": s, "name": c[0], "supply": c[2] * 1e6} for s, c in COINS.items())
        db["candles"].insert_all(candles)
        db["listings"].insert_all(listings)
        trades, holdings = [], {}
        for symbol in rng.sample([s for s in COINS if not s.startswith("USD")], 9):
            quantity, cost = 0.0, 0.0
            for _ in range(rng.randrange(1, 5)):
                price = rounded(closes[symbol] * rng.uniform(0.6, 1.3))
                amount = float(f"{rng.uniform(200, 5000) / price:.3g}")
                quantity, cost = quantity + amount, cost + amount * price
                trades.append({"trade_id": fake_id(rng, "trd_"), "symbol": symbol, "side": "buy",
                               "quantity": amount, "price_usd": price,
                               "time": f"{cls.days_before_start(rng, 11, 400)} {rng.randrange(8, 23):02d}:00"})
            holdings[symbol] = {"symbol": symbol, "quantity": round(quantity, 8),
                                "average_cost_usd": rounded(cost / quantity)}
        db["trades"].insert_all(trades)
        db["holdings"].insert_all(holdings.values())
        alerts = []
        for symbol in rng.sample(list(COINS)[:20], 10):
            above = rng.random() < 0.5
            status = rng.choice(["active", "active", "triggered", "cancelled"])
            target = closes[symbol] * (rng.uniform(1.05, 1.3) if above else rng.uniform(0.7, 0.95))
            alerts.append({"alert_id": fake_id(rng, "alr_"), "symbol": symbol, "condition": "above" if above
                           else "below", "target_price": float(f"{target:.3g}"), "status": status,
                           "note": rng.choice(["take profit", "buy the dip", "rebalance", "stop loss", ""]),
                           "created_at": f"{cls.days_before_start(rng, 1, 60)} {rng.randrange(8, 23):02d}:00"})
        db["alerts"].insert_all(alerts)

    def _coin(self, symbol: str) -> dict[str, Any]:
        return self.require("SELECT * FROM coins WHERE symbol = ?", symbol.upper(),
                            error=f"unknown coin symbol '{symbol}'; search_coins finds a coin's symbol by name")

    def _price(self, symbol: str) -> float:
        return self.value("SELECT close FROM candles WHERE symbol = ? ORDER BY hour DESC LIMIT 1", symbol)

    def _venues(self, symbol: str, exchanges: list[str] | None) -> list[dict[str, Any]]:
        listed = self.rows("SELECT exchange, premium, volume_share FROM listings WHERE symbol = ?"
                           " ORDER BY volume_share DESC", symbol)
        missing = sorted(set(exchanges or ()) - {v["exchange"] for v in listed})
        if missing:
            raise ToolError(f"{symbol} is not traded on {', '.join(missing)}; it trades on "
                            f"{', '.join(v['exchange'] for v in listed)}")
        return [v for v in listed if not exchanges or v["exchange"] in exchanges]

    def _quote(self, symbol: str) -> Quote:
        coin = self._coin(symbol)
        symbol, price = coin["symbol"], self._price(coin["symbol"])
        day_ago, volume = self.row("SELECT MIN(open) FILTER (WHERE hour = ?2) AS open, SUM(volume_usd) AS volume"
                                   " FROM candles WHERE symbol = ?1 AND hour >= ?2", symbol, HOURS - 24).values()
        # Coins first (CROSS JOIN keeps that order): each latest candle is looked up by key, not found by a scan
        caps = {s: p * supply for s, p, supply in self.conn.execute(
            "SELECT c.symbol, k.close, c.supply FROM coins c CROSS JOIN candles k ON k.symbol = c.symbol"
            " AND k.hour = ?", (HOURS - 1,))}
        return {"symbol": symbol, "name": coin["name"], "price_usd": price,
                "change_24h_percent": round((price / day_ago - 1) * 100, 2), "volume_24h": round(volume, 2),
                "market_cap": round(caps[symbol], 2), "market_rank": 1 + sum(c > caps[symbol] for c in caps.values()),
                "exchanges_prices": {}}

    @tool(phrase=["check what {symbol} is trading at[ on {exchanges}]", "get me the current {symbol} quote"])
    def get_crypto_price(self, symbol: Symbol, exchanges: Exchanges | None = None) -> Quote:
        """Current price of a coin in USD with its 24h change and volume, market cap and rank, and the price on
        each exchange that lists it.

        Args:
            symbol: Ticker symbol, e.g. "BTC".
            exchanges: Only these exchanges' prices (default: every exchange listing the coin).
        """
        quote = self._quote(symbol)
        quote["exchanges_prices"] = {v["exchange"]: rounded(quote["price_usd"] * (1 + v["premium"]))
                                     for v in self._venues(quote["symbol"], exchanges)}
        return quote

    @tool(phrase=["compare {symbol} prices and volume across exchanges[ ({exchanges})]",
                  "which exchange trades the most {symbol}"])
    def get_market_analysis(self, symbol: Symbol, exchanges: Exchanges | None = None) -> Analysis:
        """Where a coin trades: the exchanges by 24h volume, the price spread between them, each one's share of the
        volume and the volume-weighted average price (VWAP).

        Args:
            symbol: Ticker symbol, e.g. "ETH".
            exchanges: Only these exchanges (default: every exchange listing the coin).
        """
        quote, venues = self._quote(symbol), []
        for v in self._venues(quote["symbol"], exchanges):
            venues.append({"exchange": v["exchange"], "price_usd": rounded(quote["price_usd"] * (1 + v["premium"])),
                           "volume_24h": round(quote["volume_24h"] * v["volume_share"], 2)})
        total = sum(v["volume_24h"] for v in venues)
        prices = [v["price_usd"] for v in venues]
        return {"symbol": quote["symbol"], "top_exchanges": venues[:5],
                "price_variations": {"highest": max(prices), "lowest": min(prices),
                                     "spread_percent": round((max(prices) / min(prices) - 1) * 100, 3)},
                "volume_distribution": {v["exchange"]: round(v["volume_24h"] / total * 100, 2) for v in venues},
                "vwap": rounded(sum(v["price_usd"] * v["volume_24h"] for v in venues) / total),
                "exchanges_prices": {v["exchange"]: v["price_usd"] for v in venues}}

    @tool(phrase=["show how {symbol} has moved[ over the last {days} days][ in {interval} steps]",
                  "pull up the {symbol} price history[ for the past {days} days]"])
    def get_historical_analysis(self, symbol: Symbol, interval: Literal["1h", "4h", "1d"] = "1d",
                                days: Annotated[int, Field(ge=1, le=7)] = 7) -> History:
        """Closing prices over the last days at the given interval, with the high, low and volatility.

        Args:
            symbol: Ticker symbol, e.g. "SOL".
            interval: Spacing of the closing prices: 1h, 4h or 1d.
            days: How many days back, 1-7 (hourly history covers seven days).
        """
        coin = self._coin(symbol)
        step = INTERVAL_HOURS[interval]
        rows = self.rows("SELECT hour, high, low, close FROM candles WHERE symbol = ? AND hour >= ? ORDER BY hour",
                         coin["symbol"], HOURS - 24 * days)
        trends = [r["close"] for r in rows if (r["hour"] + 1) % step == 0]
        returns = [math.log(b / a) for a, b in zip(trends, trends[1:])]
        mean = sum(returns) / len(returns) if returns else 0.0
        deviation = math.sqrt(sum((r - mean) ** 2 for r in returns) / len(returns)) if returns else 0.0
        change = (trends[-1] / rows[0]["close"] - 1) * 100
        high, low = max(r["high"] for r in rows), min(r["low"] for r in rows)
        return {"symbol": coin["symbol"], "interval": interval, "price_trends": trends,
                "volatility_metrics": {"stdev_percent": round(deviation * 100, 3),
                                       "range_percent": round((high / low - 1) * 100, 2)},
                "high_price": high, "low_price": low,
                "analysis_summary": f"{coin['name']} {'rose' if change >= 0 else 'fell'} {abs(change):.2f}% over "
                                    f"{days} day{'s' * (days > 1)}, between {low} and {high} USD"}

    @tool(phrase=["find the coin called {query}", "look up the ticker of {query}"])
    def search_coins(self, query: NonEmptyStr) -> list[CoinHit]:
        """Find coins by (part of) their name or symbol, largest market cap first.

        Args:
            query: Text to look for, e.g. "doge" or "Cosmos".
        """
        matches, params = self.text_filter("coins", query)
        found = [self._quote(r["symbol"]) for r in self.rows(f"SELECT symbol FROM coins WHERE {matches}", *params)]
        return [{k: q[k] for k in ("symbol", "name", "market_rank", "price_usd")}  # type: ignore[misc]
                for q in sorted(found, key=lambda q: q["market_rank"])]

    @tool(phrase=["show my crypto portfolio", "check how much my portfolio is worth right now"])
    def get_portfolio(self) -> Portfolio:
        """The user's holdings valued at current prices, with profit against the average cost."""
        holdings = []
        for h in self.rows("SELECT * FROM holdings ORDER BY symbol"):
            price = self._price(h["symbol"])
            holdings.append({**h, "price_usd": price, "value_usd": round(h["quantity"] * price, 2),
                             "profit_usd": round(h["quantity"] * (price - h["average_cost_usd"]), 2)})
        return {"holdings": holdings, "total_value_usd": round(sum(h["value_usd"] for h in holdings), 2),
                "total_profit_usd": round(sum(h["profit_usd"] for h in holdings), 2)}

    @tool(writes=True, phrase=["record that I bought {quantity} {symbol}", "add {quantity} {symbol} to my portfolio",
                               "log a purchase of {quantity} {symbol} at today's price"])
    def record_buy(self, symbol: Symbol, quantity: Quantity, price_usd: Price | None = None) -> Trade:
        """Record a purchase in the portfolio; the average cost is updated. Without a price, the current one.

        Args:
            symbol: Ticker symbol of the coin bought.
            quantity: Coins bought.
            price_usd: Price paid per coin in USD (default: the current price).
        """
        symbol = self._coin(symbol)["symbol"]
        price = price_usd or self._price(symbol)
        held = self.row("SELECT quantity, average_cost_usd FROM holdings WHERE symbol = ?", symbol) or {
            "quantity": 0.0, "average_cost_usd": 0.0}
        total = round(held["quantity"] + quantity, 8)
        cost = rounded((held["quantity"] * held["average_cost_usd"] + quantity * price) / total)
        self.upsert("holdings", {"symbol": symbol}, {"quantity": total, "average_cost_usd": cost})
        return self._trade(symbol, "buy", quantity, price, total)

    @tool(writes=True, phrase=["record that I sold {quantity} {symbol}", "log a sale of {quantity} {symbol}",
                               "take {quantity} {symbol} off my portfolio, I sold them"])
    def record_sell(self, symbol: Symbol, quantity: Quantity, price_usd: Price | None = None) -> Trade:
        """Record a sale from the portfolio; selling everything removes the holding. Without a price, the current
        one.

        Args:
            symbol: Ticker symbol of the coin sold.
            quantity: Coins sold (at most what the portfolio holds).
            price_usd: Price received per coin in USD (default: the current price).
        """
        symbol = self._coin(symbol)["symbol"]
        held = self.value("SELECT quantity FROM holdings WHERE symbol = ?", symbol)
        if held is None:
            raise ToolError(f"the portfolio holds no {symbol}; get_portfolio lists the holdings")
        if quantity > held + 1e-9:
            raise ToolError(f"cannot sell {quantity:g} {symbol}: the portfolio holds only {held:g}")
        left = round(held - quantity, 8)
        if left <= 1e-9:
            self.execute("DELETE FROM holdings WHERE symbol = ?", symbol)
        else:
            self.execute("UPDATE holdings SET quantity = ? WHERE symbol = ?", left, symbol)
        return self._trade(symbol, "sell", quantity, price_usd or self._price(symbol), max(left, 0.0))

    def _trade(self, symbol: str, side: str, quantity: float, price: float, held: float) -> Trade:
        trade = {"trade_id": self.new_id("trades", "trd_"), "symbol": symbol, "side": side, "quantity": quantity,
                 "price_usd": price, "time": self.now().strftime(TIME_FORMAT)}
        self.execute("INSERT INTO trades VALUES (?, ?, ?, ?, ?, ?)", *trade.values())
        return {**trade, "holding_quantity": held}  # type: ignore[typeddict-item]

    @tool(phrase=["list my[ {status}] price alerts[ for {symbol}]", "show which {symbol} alerts I have set"])
    def list_price_alerts(self, symbol: Symbol | None = None,
                          status: Literal["active", "triggered", "cancelled"] | None = None,
                          query: NonEmptyStr | None = None) -> list[Alert]:
        """The user's price alerts, newest first, optionally for one coin, in one status or whose note contains
        some text.

        Args:
            symbol: Only alerts on this coin.
            status: Only alerts in this status.
            query: Only alerts whose note contains this text.
        """
        matches, params = self.text_filter("alerts", query) if query else ("1", ())
        return self.rows(f"SELECT * FROM alerts WHERE {matches} AND (? IS NULL OR symbol = upper(?))"
                         " AND (? IS NULL OR status = ?) ORDER BY created_at DESC, alert_id",
                         *params, symbol, symbol, status, status)

    @tool(writes=True, phrase=["alert me when {symbol} goes {condition} {target_price} USD[ (note: {note})]",
                               "set a price alert for {symbol} {condition} {target_price}[ labelled '{note}']"])
    def create_price_alert(self, symbol: Symbol, condition: Literal["above", "below"], target_price: Price,
                           note: Annotated[str, Field(max_length=80)] = "") -> Alert:
        """Set an alert that fires when a coin's price crosses a target. An 'above' target must be higher than the
        current price and a 'below' target lower; at most 5 active alerts per coin.

        Args:
            symbol: Ticker symbol, e.g. "BTC".
            condition: Fire when the price rises above or falls below the target.
            target_price: Target price in USD.
            note: A short label for the alert, e.g. "take profit".
        """
        symbol = self._coin(symbol)["symbol"]
        price = self._price(symbol)
        if (condition == "above") != (target_price > price) or target_price == price:
            raise ToolError(f"{symbol} is at {price} USD now, so an alert for '{condition} {target_price:g}' would "
                            f"fire at once; choose a target {'higher' if condition == 'above' else 'lower'} than that")
        if self.value("SELECT COUNT(*) FROM alerts WHERE symbol = ? AND status = 'active'", symbol) >= \
                MAX_ACTIVE_ALERTS:
            raise ToolError(f"{symbol} already has {MAX_ACTIVE_ALERTS} active alerts; cancel one first")
        if self.row("SELECT 1 FROM alerts WHERE symbol = ? AND condition = ? AND target_price = ? AND status = "
                    "'active'", symbol, condition, target_price):
            raise ToolError(f"an active alert for {symbol} {condition} {target_price:g} already exists")
        alert = {"alert_id": self.new_id("alerts", "alr_"), "symbol": symbol, "condition": condition,
                 "target_price": target_price, "note": note.strip(), "status": "active",
                 "created_at": self.now().strftime(TIME_FORMAT)}
        self.execute("INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?)", *alert.values())
        return alert  # type: ignore[return-value]

    @tool(writes=True, phrase=["cancel {alert_id}", "delete {alert_id}", "switch off {alert_id}"])
    def cancel_price_alert(self, alert_id: str) -> Alert:
        """Cancel an active price alert.

        Args:
            alert_id: The alert's id (from list_price_alerts).
        """
        alert = self.require("SELECT * FROM alerts WHERE alert_id = ?", alert_id,
                             error=f"no price alert '{alert_id}'; list_price_alerts shows the alerts")
        if alert["status"] != "active":
            raise ToolError(f"alert '{alert_id}' is already {alert['status']}; only active alerts can be cancelled")
        self.execute("UPDATE alerts SET status = 'cancelled' WHERE alert_id = ?", alert_id)
        return {**alert, "status": "cancelled"}  # type: ignore[typeddict-item]
