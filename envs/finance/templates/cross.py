"""Cross-environment task templates of the Finance domain: a retail investor and small merchant who chains its
services.

- CryptoPrice + FinancialDatasets: a coin's price from both sources, the purchase recorded at the lower one; an
  alert just outside the range the other source shows; the coins held, put on a watchlist.
- FinancialDatasets + TradingBot: a watchlist copied to the brokerage; a budget invested in the company with the
  better margin.
- TradingBot + YahooFinance: brokerage positions mirrored in a Yahoo portfolio; a limit order at Yahoo's last
  close; a buy held back when earnings are near.
- CryptoPrice + TradingBot: shares sold to pay for coins; a coin sale's proceeds deposited at the broker.
- PayPalPaymentProcessor + TradingBot / CryptoPrice: a refund covered by selling shares; a captured sale invested in
  shares or in a coin.
- KospiKosdaqStock + YahooFinance: a Korean stock against a US peer on P/E, the cheaper one tracked.
- FinancialDatasets + YahooFinance: a watchlist's missing stocks added to a portfolio.
- PayPalPaymentProcessor + StripePaymentServer: a customer moved from PayPal to their card on Stripe.

The member worlds of a seed share no rows; they share what real services share: tickers (AAPL on TradingBot,
Yahoo and FinancialDatasets; BTC on CryptoPrice is BTC-USD on FinancialDatasets), and the user's money moving
between them. ``world`` is the domain's :class:`~envfactory_gym.core.worldset.WorldSet`; tools two members share
(``get_portfolio``, ``add_to_watchlist``, ``get_order_details``...) are offered under prefixed names, so every gold
call goes through :func:`member_call`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import ROUND_DOWN, Decimal
from typing import Any

from envfactory_gym.core.tasks import Call, Draft, Ref, call, pick, scenario
from envfactory_gym.core.worldset import WorldSet
from envs.finance.stripe_payment_server import expired

#: Coins both CryptoPrice (BTC) and FinancialDatasets (BTC-USD) quote.
SHARED_COINS = ("BTC", "ETH", "SOL", "XRP", "DOGE", "ADA", "AVAX", "LINK", "LTC", "DOT")
#: A Korean listing and a US peer: (KRX ticker, Korean name, US ticker, US name).
PEERS = (("005930", "Samsung Electronics", "AAPL", "Apple"), ("005380", "Hyundai Motor", "TSLA", "Tesla"),
         ("035420", "NAVER", "GOOGL", "Alphabet"), ("105560", "KB Financial Group", "JPM", "JPMorgan Chase"),
         ("068270", "Celltrion", "PFE", "Pfizer"), ("017670", "SK Telecom", "VZ", "Verizon"),
         ("000660", "SK hynix", "NVDA", "Nvidia"), ("207940", "Samsung Biologics", "JNJ", "Johnson & Johnson"),
         ("035720", "Kakao", "META", "Meta Platforms"), ("000270", "Kia", "TSLA", "Tesla"))


def member_call(world: WorldSet, environment: str, tool: str, **arguments: Any) -> Call:
    """A gold call under the tool's name in this domain (prefixed where two members share it)."""
    return call(world.public_name(environment, tool), **arguments)


def spoken(day: dt.date, rng: random.Random) -> str:
    return rng.choice([day.isoformat(), f"{day:%B} {day.day}, {day.year}"])


def floor_to(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_DOWN)


# ------------------------------------------------------------------------------------------------ readers
def crypto_price(world: WorldSet, coin: str) -> float:
    """CryptoPrice's current price of a coin (the last hourly close)."""
    return world.worlds["CryptoPrice"].value(
        "SELECT close FROM candles WHERE symbol = ? ORDER BY hour DESC LIMIT 1", coin)


def fd_crypto_close(world: WorldSet, coin: str) -> float:
    """FinancialDatasets' latest daily close of ``<coin>-USD``."""
    return world.worlds["FinancialDatasets"].value(
        "SELECT close FROM crypto_prices WHERE ticker = ? ORDER BY date DESC LIMIT 1", f"{coin}-USD")


def yahoo_close(world: WorldSet, symbol: str) -> float:
    """Yahoo Finance's current price of a stock (its last close)."""
    return world.worlds["YahooFinance"].value(
        "SELECT close FROM prices WHERE symbol = ? ORDER BY date DESC LIMIT 1", symbol)


def yahoo_symbols(world: WorldSet) -> set[str]:
    return {r["symbol"] for r in world.worlds["YahooFinance"].rows("SELECT symbol FROM tickers")}


def broker_stock(world: WorldSet, symbol: str) -> dict[str, Any] | None:
    """A TradingBot listing that takes orders now (listed and not halted)."""
    return world.worlds["TradingBot"].row("SELECT * FROM listings WHERE symbol = ? AND halted = 0", symbol)


def buying_power(world: WorldSet) -> float:
    """TradingBot cash not reserved by open buy orders, in dollars."""
    bot = world.worlds["TradingBot"]
    reserved = bot.value("SELECT COALESCE(SUM(CAST(ROUND(price * 100) AS INTEGER) * quantity), 0) FROM orders"
                         " WHERE status IN ('Open', 'Pending') AND order_type = 'Buy'")
    return (bot.value("SELECT balance_cents FROM account") - reserved) / 100


def free_shares(world: WorldSet, symbol: str) -> int:
    """Shares of a TradingBot position not reserved by open sell orders."""
    bot = world.worlds["TradingBot"]
    held = bot.value("SELECT quantity FROM positions WHERE symbol = ?", symbol) or 0
    return held - bot.value("SELECT COALESCE(SUM(quantity), 0) FROM orders WHERE status IN ('Open', 'Pending')"
                            " AND order_type = 'Sell' AND symbol = ?", symbol)


def sellable_positions(world: WorldSet) -> list[dict[str, Any]]:
    """TradingBot positions in stocks that take orders, with their quote and free shares."""
    found = []
    for p in world.worlds["TradingBot"].rows("SELECT * FROM positions ORDER BY symbol"):
        stock = broker_stock(world, p["symbol"])
        if stock:
            found.append({**p, "price": stock["price"], "company": stock["company_name"],
                          "free": free_shares(world, p["symbol"])})
    return found


def fd_watchlist(world: WorldSet, name: str) -> list[str]:
    return [r["symbol"] for r in world.worlds["FinancialDatasets"].rows(
        "SELECT symbol FROM watchlist_items JOIN watchlists USING (watchlist_id) WHERE name = ?"
        " ORDER BY added_at, symbol", name)]


def refundable_captures(world: WorldSet) -> list[dict[str, Any]]:
    """PayPal USD orders with one capture, never refunded and inside the 180-day refund window."""
    paypal = world.worlds["PayPalPaymentProcessor"]
    now = paypal.now()
    found = []
    for c in paypal.rows("SELECT c.* FROM captures c JOIN orders o ON o.id = c.order_id WHERE c.status = 'COMPLETED'"
                         " AND c.currency = 'USD' AND (SELECT COUNT(*) FROM captures x WHERE x.order_id = c.order_id)"
                         " = 1 ORDER BY c.id"):
        if (now - dt.datetime.strptime(c["create_time"], "%Y-%m-%dT%H:%M:%SZ")).days <= 170:
            found.append(c)
    return found


def approved_sales(world: WorldSet) -> list[dict[str, Any]]:
    """PayPal USD orders of intent CAPTURE the payer has approved (ready to capture)."""
    return world.worlds["PayPalPaymentProcessor"].rows(
        "SELECT * FROM orders WHERE status = 'APPROVED' AND intent = 'CAPTURE' AND currency = 'USD' ORDER BY id")


def nice_quantity(rng: random.Random, price: float, low: float = 400, high: float = 3000) -> float:
    """A round quantity of a coin worth roughly ``low``-``high`` dollars."""
    return float(f"{rng.uniform(low, high) / price:.2g}")


# ---------------------------------------------------------------------- CryptoPrice + FinancialDatasets
@scenario
def crypto_best_quote_buy(world: WorldSet, rng: random.Random) -> Draft | None:
    coin = rng.choice(SHARED_COINS)
    here, there = crypto_price(world, coin), fd_crypto_close(world, coin)
    if here == there:
        return None
    quantity = nice_quantity(rng, here)
    return Draft(
        request=rng.choice([
            ("I'm buying {q:g} {c}. Check its price on CryptoPrice and the latest {c}-USD close on "
             "FinancialDatasets, and record the purchase in my crypto portfolio at whichever of the two is lower."),
            ("Record a buy of {q:g} {c} in my crypto portfolio, priced at the lower of CryptoPrice's current {c} "
             "price and FinancialDatasets' latest {c}-USD close."),
        ]).format(q=quantity, c=coin),
        calls=(member_call(world, "CryptoPrice", "get_crypto_price", symbol=coin),
               member_call(world, "FinancialDatasets", "get_current_crypto_price", ticker=f"{coin}-USD"),
               member_call(world, "CryptoPrice", "record_buy", symbol=coin, quantity=quantity,
                           price_usd=min(here, there))))


@scenario
def crypto_alert_outside_fd_range(world: WorldSet, rng: random.Random) -> Draft | None:
    coin = rng.choice(SHARED_COINS)
    data = world.worlds["FinancialDatasets"]
    days = [r["date"] for r in data.rows("SELECT date FROM crypto_prices WHERE ticker = ? ORDER BY date",
                                         f"{coin}-USD")]
    length = rng.randint(4, 9)
    first = rng.randrange(len(days) - length)
    start, end = days[first], days[first + length]
    span = data.row("SELECT MIN(low) AS low, MAX(high) AS high FROM crypto_prices WHERE ticker = ? AND date BETWEEN"
                    " ? AND ?", f"{coin}-USD", start, end)
    now = crypto_price(world, coin)
    options = [(c, t) for c, t in (("below", span["low"]), ("above", span["high"]))
               if (c == "below" and t < now) or (c == "above" and t > now)]
    alerts = world.worlds["CryptoPrice"]
    if not options or alerts.value("SELECT COUNT(*) FROM alerts WHERE symbol = ? AND status = 'active'", coin) >= 5:
        return None
    condition, target = rng.choice(options)
    note = rng.choice(["range break", "breakout watch", "outside the range"])
    edge = ("falls below the lowest daily low" if condition == "below" else "rises above the highest daily high")
    return Draft(
        request=rng.choice([
            "Set a CryptoPrice alert for when {c} {e} that FinancialDatasets shows for {c}-USD between {a} and {b}; "
            "note it '{n}'.",
            "Look at {c}-USD's daily prices on FinancialDatasets from {a} to {b} and alert me on CryptoPrice when "
            "{c} {e} of that period. Label the alert '{n}'.",
        ]).format(c=coin, e=edge, a=spoken(dt.date.fromisoformat(start), rng),
                  b=spoken(dt.date.fromisoformat(end), rng), n=note),
        calls=(member_call(world, "FinancialDatasets", "get_historical_crypto_prices", ticker=f"{coin}-USD",
                           start_date=start, end_date=end),
               member_call(world, "CryptoPrice", "create_price_alert", symbol=coin, condition=condition,
                           target_price=target, note=note)))


@scenario
def held_coins_to_fd_watchlist(world: WorldSet, rng: random.Random) -> Draft | None:
    held = [r["symbol"] for r in world.worlds["CryptoPrice"].rows("SELECT symbol FROM holdings ORDER BY symbol")
            if r["symbol"] in SHARED_COINS]
    if not held:
        return None
    portfolio = member_call(world, "CryptoPrice", "get_portfolio")
    if rng.random() < 0.5:
        on_list = set(fd_watchlist(world, "Crypto majors"))
        missing = [c for c in held if f"{c}-USD" not in on_list]
        if not missing:
            return None
        return Draft(
            request=rng.choice([
                "Every coin in my crypto portfolio that FinancialDatasets covers should be on my FinancialDatasets "
                "watchlist 'Crypto majors'. Add the ones that aren't there yet.",
                "Go through the coins I hold on CryptoPrice and put each one FinancialDatasets has prices for on my "
                "'Crypto majors' watchlist there, unless it's already on it.",
            ]),
            calls=(portfolio, member_call(world, "FinancialDatasets", "list_watchlists"),
                   *(member_call(world, "FinancialDatasets", "add_to_watchlist",
                                 watchlist_id=Ref(1, then=pick("watchlist_id", name="Crypto majors")),
                                 symbol=f"{c}-USD") for c in missing)))
    name = rng.choice(["My coins", "Coins I hold", "Crypto holdings"])
    return Draft(
        request=rng.choice([
            "Create a FinancialDatasets watchlist called '{n}' with every coin from my crypto portfolio that "
            "FinancialDatasets covers.",
            "I want my crypto holdings on FinancialDatasets too: make a watchlist '{n}' there and add each coin I "
            "hold on CryptoPrice that it has prices for.",
        ]).format(n=name),
        calls=(portfolio, member_call(world, "FinancialDatasets", "create_watchlist", name=name),
               *(member_call(world, "FinancialDatasets", "add_to_watchlist", watchlist_id=Ref(1, "watchlist_id"),
                             symbol=f"{c}-USD") for c in held)))


# --------------------------------------------------------------------- FinancialDatasets + TradingBot
@scenario
def fd_watchlist_to_broker(world: WorldSet, rng: random.Random) -> Draft | None:
    name = rng.choice(["Big Tech", "Dividend income"])
    watched = {r["ticker"] for r in world.worlds["TradingBot"].rows("SELECT ticker FROM watchlist")}
    listed = {r["symbol"] for r in world.worlds["TradingBot"].rows("SELECT symbol FROM listings")}
    missing = [s for s in fd_watchlist(world, name) if s in listed and s not in watched]
    if not missing:
        return None
    return Draft(
        request=rng.choice([
            "Copy my FinancialDatasets watchlist '{w}' over to my TradingBot watchlist: add each of its stocks that "
            "the brokerage lists and that isn't on my brokerage watchlist yet.",
            "I want to follow the stocks of my '{w}' watchlist on FinancialDatasets in my trading app as well. Put "
            "the ones TradingBot lists on my watchlist there (skip any already on it).",
        ]).format(w=name),
        calls=(member_call(world, "FinancialDatasets", "list_watchlists"),
               member_call(world, "TradingBot", "get_watchlist"),
               *(member_call(world, "TradingBot", "add_to_watchlist", symbol=s) for s in missing)))


@scenario
def better_margin_budget_buy(world: WorldSet, rng: random.Random) -> Draft | None:
    shared = sorted({r["symbol"] for r in world.worlds["FinancialDatasets"].rows("SELECT symbol FROM companies")}
                    & {r["symbol"] for r in world.worlds["TradingBot"].rows("SELECT symbol FROM listings")})
    first, second = rng.sample(shared, 2)

    def margin(symbol: str) -> float:
        latest = world.worlds["FinancialDatasets"].row(
            "SELECT revenue, net_income FROM financials WHERE symbol = ? AND period = 'annual'"
            " ORDER BY report_period DESC LIMIT 1", symbol)
        return latest["net_income"] / latest["revenue"]

    if abs(margin(first) - margin(second)) < 0.005:
        return None
    winner = max((first, second), key=margin)
    stock = broker_stock(world, winner)
    budget = rng.choice([1500, 2000, 2500, 3000, 4000, 5000, 7500, 10000])
    if stock is None or budget // stock["price"] < 2 or budget > buying_power(world):
        return None
    names = {s: world.worlds["TradingBot"].value("SELECT company_name FROM listings WHERE symbol = ?", s)
             for s in (first, second)}
    return Draft(
        request=rng.choice([
            ("I have ${b:,} to put into either {n1} ({s1}) or {n2} ({s2}). Take the one with the higher net margin "
             "(net income over revenue) in its latest annual income statement on FinancialDatasets, and buy as many "
             "whole shares of it on TradingBot as the budget covers, with the limit at its current quote."),
            ("{n1} ({s1}) or {n2} ({s2})? Whichever had the better net margin in its latest fiscal year according to "
             "FinancialDatasets gets my ${b:,}: place a TradingBot buy for as many whole shares as that buys at the "
             "current quote (limit = quote)."),
        ]).format(b=budget, n1=names[first], s1=first, n2=names[second], s2=second),
        calls=(member_call(world, "FinancialDatasets", "get_income_statements", symbol=first, period="annual",
                           limit=1),
               member_call(world, "FinancialDatasets", "get_income_statements", symbol=second, period="annual",
                           limit=1),
               member_call(world, "TradingBot", "get_stock_info", symbol=winner),
               member_call(world, "TradingBot", "place_order", order_type="Buy", symbol=winner,
                           price=stock["price"], quantity=int(budget // stock["price"]))))


# -------------------------------------------------------------------------- TradingBot + YahooFinance
@scenario
def positions_to_yahoo_portfolio(world: WorldSet, rng: random.Random) -> Draft | None:
    covered = yahoo_symbols(world)
    mirrored = [p for p in world.worlds["TradingBot"].rows("SELECT * FROM positions ORDER BY symbol")
                if p["symbol"] in covered]
    taken = {r["portfolio_name"].lower() for r in world.worlds["YahooFinance"].rows(
        "SELECT portfolio_name FROM portfolios")}
    names = [n for n in ("Brokerage mirror", "Brokerage", "Trading account") if n.lower() not in taken]
    if not mirrored or len(mirrored) > 5 or not names:
        return None
    name = rng.choice(names)
    return Draft(
        request=rng.choice([
            "Set up a Yahoo Finance portfolio called '{n}' that mirrors my TradingBot positions: for every stock I "
            "hold there that Yahoo covers, the same number of shares at my average cost per share.",
            "I'd like to track my brokerage holdings on Yahoo Finance. Create a portfolio '{n}' and add each "
            "TradingBot position Yahoo has data for, with my share count and average cost as the cost basis.",
        ]).format(n=name),
        calls=(member_call(world, "TradingBot", "get_positions"),
               member_call(world, "YahooFinance", "create_portfolio", portfolio_name=name),
               *(member_call(world, "YahooFinance", "add_holding", portfolio_name=name, symbol=p["symbol"],
                             shares=p["quantity"], cost_basis=p["average_cost"]) for p in mirrored)))


@scenario
def limit_at_yahoo_close(world: WorldSet, rng: random.Random) -> Draft | None:
    covered = yahoo_symbols(world)
    held = [p for p in sellable_positions(world) if p["symbol"] in covered and p["free"] >= 2]
    if held and rng.random() < 0.4:
        position = rng.choice(held)
        side, symbol = "Sell", position["symbol"]
        quantity = rng.randint(1, min(position["free"], 25))
    else:
        tradable = [s for s in sorted(covered) if broker_stock(world, s)]
        side, symbol = "Buy", rng.choice(tradable)
        quantity = rng.choice([5, 10, 15, 20, 25, 30])
        if quantity * yahoo_close(world, symbol) > buying_power(world):
            return None
    close = yahoo_close(world, symbol)
    return Draft(
        request=rng.choice([
            "Put in a limit order on TradingBot to {v} {q} shares of {s}, with the limit at the last close Yahoo "
            "Finance shows for it.",
            "{V} {q} {s} on my brokerage account: use Yahoo Finance's current price for {s} as the limit price.",
        ]).format(v=side.lower(), V=side, q=quantity, s=symbol),
        calls=(member_call(world, "YahooFinance", "get_current_stock_price", symbol=symbol),
               member_call(world, "TradingBot", "place_order", order_type=side, symbol=symbol, price=close,
                           quantity=quantity)))


@scenario
def buy_unless_earnings_near(world: WorldSet, rng: random.Random) -> Draft | None:
    tradable = [s for s in sorted(yahoo_symbols(world)) if broker_stock(world, s)]
    symbol = rng.choice(tradable)
    upcoming = world.worlds["YahooFinance"].value(
        "SELECT MIN(date) FROM earnings WHERE symbol = ? AND date >= ?", symbol,
        world.worlds["YahooFinance"].now().date().isoformat())
    if upcoming is None:
        return None
    cutoff = dt.date(2026, 4, 20) + dt.timedelta(days=rng.randrange(0, 16))
    if cutoff.isoformat() == upcoming:
        return None
    stock = broker_stock(world, symbol)
    quantity = rng.choice([3, 5, 10, 12, 20])
    company = stock["company_name"]
    lookup = member_call(world, "YahooFinance", "get_earning_dates", symbol=symbol)
    if upcoming < cutoff.isoformat():
        if world.worlds["TradingBot"].value("SELECT 1 FROM watchlist WHERE ticker = ?", symbol):
            return None
        act: tuple[Call, ...] = (member_call(world, "TradingBot", "add_to_watchlist", symbol=symbol),)
    else:
        if quantity * stock["price"] > buying_power(world):
            return None
        act = (member_call(world, "TradingBot", "get_stock_info", symbol=symbol),
               member_call(world, "TradingBot", "place_order", order_type="Buy", symbol=symbol, price=stock["price"],
                           quantity=quantity))
    return Draft(
        request=rng.choice([
            ("I want {q} shares of {n} ({s}), but not right before earnings. If Yahoo Finance has its next earnings "
             "date before {d}, just put it on my TradingBot watchlist; otherwise buy the {q} shares on TradingBot "
             "with the limit at the current quote."),
            ("Check on Yahoo Finance when {s} reports next. Earnings before {d}: add {s} to my TradingBot watchlist "
             "and hold off. Otherwise: buy {q} shares of it on TradingBot at the current quote."),
        ]).format(q=quantity, n=company, s=symbol, d=spoken(cutoff, rng)),
        calls=(lookup, *act))


# --------------------------------------------------------------------------- CryptoPrice + TradingBot
@scenario
def sell_shares_for_coins(world: WorldSet, rng: random.Random) -> Draft | None:
    coin = rng.choice(["BTC", "ETH", "SOL", "BNB", "LTC", "AVAX", "LINK", "AAVE", "BCH"])
    price = crypto_price(world, coin)
    quantity = nice_quantity(rng, price, 500, 4000)
    cost = quantity * price
    positions = [p for p in sellable_positions(world) if 1 <= math.ceil(cost / p["price"]) <= p["free"]]
    if not positions:
        return None
    position = rng.choice(positions)
    shares = math.ceil(cost / position["price"])
    if abs(cost / position["price"] - round(cost / position["price"])) < 1e-6:
        return None  # an exact multiple: 'just enough' would hinge on rounding
    return Draft(
        request=rng.choice([
            ("I'm buying {q:g} {c} at CryptoPrice's current price. Sell just enough whole shares of my {s} on "
             "TradingBot, at its current quote, to cover the cost, then record the {c} purchase in my crypto "
             "portfolio."),
            ("Fund a {q:g} {c} purchase from my {n} shares: sell the fewest whole {s} shares on TradingBot (limit at "
             "the quote) whose proceeds cover {q:g} {c} at today's CryptoPrice price, and log the buy in my crypto "
             "portfolio at that price."),
        ]).format(q=quantity, c=coin, s=position["symbol"], n=position["company"]),
        calls=(member_call(world, "CryptoPrice", "get_crypto_price", symbol=coin),
               member_call(world, "TradingBot", "get_stock_info", symbol=position["symbol"]),
               member_call(world, "TradingBot", "place_order", order_type="Sell", symbol=position["symbol"],
                           price=position["price"], quantity=shares),
               member_call(world, "CryptoPrice", "record_buy", symbol=coin, quantity=quantity)))


@scenario
def coin_sale_to_broker(world: WorldSet, rng: random.Random) -> Draft | None:
    options = []
    for h in world.worlds["CryptoPrice"].rows("SELECT * FROM holdings ORDER BY symbol"):
        proceeds = Decimal(str(h["quantity"])) * Decimal(str(crypto_price(world, h["symbol"])))
        fraction = proceeds - int(proceeds)
        if 50 <= proceeds <= 50_000 and Decimal("0.01") < fraction < Decimal("0.99"):
            options.append((h, int(proceeds)))
    if not options:
        return None
    holding, dollars = rng.choice(options)
    coin = holding["symbol"]
    name = world.worlds["CryptoPrice"].value("SELECT name FROM coins WHERE symbol = ?", coin)
    return Draft(
        request=rng.choice([
            ("I sold all my {n} ({c}) at the current price. Record the sale in my crypto portfolio and deposit the "
             "proceeds, rounded down to whole dollars, into my TradingBot account."),
            ("Log that I sold my whole {c} holding at today's CryptoPrice price, and move what it brought in "
             "(whole dollars, rounded down) into my brokerage account as a deposit."),
        ]).format(n=name, c=coin),
        calls=(member_call(world, "CryptoPrice", "get_portfolio"),
               member_call(world, "CryptoPrice", "record_sell", symbol=coin,
                           quantity=Ref(0, "holdings", then=pick("quantity", symbol=coin))),
               member_call(world, "TradingBot", "make_transaction", transaction_type="deposit",
                           amount=float(dollars))))


# --------------------------------------------------------------- PayPalPaymentProcessor + TradingBot / CryptoPrice
@scenario
def refund_covered_by_shares(world: WorldSet, rng: random.Random) -> Draft | None:
    captures = refundable_captures(world)
    if not captures:
        return None
    capture = rng.choice(captures)
    amount = float(capture["amount"])
    positions = [p for p in sellable_positions(world) if math.ceil(amount / p["price"]) <= min(p["free"], 20)
                 and abs(amount / p["price"] - round(amount / p["price"])) > 1e-6]
    if not positions:
        return None
    position = rng.choice(positions)
    return Draft(
        request=rng.choice([
            ("The buyer of PayPal order {o} returned everything: refund the order in full. To cover it, sell just "
             "enough whole shares of {s} on TradingBot at the current quote, and withdraw the refunded amount to my "
             "card."),
            ("Refund PayPal order {o} completely. I'll pay for it from my brokerage: sell the fewest whole {s} "
             "shares (limit at the quote) that cover the refund, then withdraw exactly the refund amount from "
             "TradingBot to my card."),
        ]).format(o=capture["order_id"], s=position["symbol"]),
        calls=(member_call(world, "PayPalPaymentProcessor", "get_order_details", order_id=capture["order_id"]),
               member_call(world, "PayPalPaymentProcessor", "refund_capture", capture_id=capture["id"]),
               member_call(world, "TradingBot", "get_stock_info", symbol=position["symbol"]),
               member_call(world, "TradingBot", "place_order", order_type="Sell", symbol=position["symbol"],
                           price=position["price"], quantity=math.ceil(amount / position["price"])),
               member_call(world, "TradingBot", "make_transaction", transaction_type="withdrawal", amount=amount)))


@scenario
def sale_into_shares(world: WorldSet, rng: random.Random) -> Draft | None:
    sales = approved_sales(world)
    if not sales:
        return None
    sale = rng.choice(sales)
    amount = float(sale["amount"])
    stocks = [s for s in world.worlds["TradingBot"].rows("SELECT * FROM listings WHERE halted = 0 AND price <= ?"
                                                         " ORDER BY symbol", amount)
              if abs(amount / s["price"] - round(amount / s["price"])) > 1e-6]
    if not stocks:
        return None
    stock = rng.choice(stocks)
    by_name = rng.random() < 0.5
    lookup = (member_call(world, "TradingBot", "get_stock_symbol", company_name=stock["company_name"]) if by_name
              else member_call(world, "TradingBot", "get_stock_info", symbol=stock["symbol"]))
    return Draft(
        request=rng.choice([
            ("Capture PayPal order {o}, deposit exactly the captured amount into my TradingBot account, and use it "
             "to buy as many whole shares of {t} as it covers, with the limit at the current quote."),
            ("The buyer approved PayPal order {o}: collect the payment, move that same amount into my brokerage "
             "account, and invest it in {t}: the most whole shares it pays for at the current quote."),
        ]).format(o=sale["id"], t=stock["company_name"] if by_name else stock["symbol"]),
        calls=(member_call(world, "PayPalPaymentProcessor", "capture_order", order_id=sale["id"]),
               member_call(world, "TradingBot", "make_transaction", transaction_type="deposit",
                           amount=Ref(0, "amount", then=float)),
               lookup,
               member_call(world, "TradingBot", "place_order", order_type="Buy", symbol=stock["symbol"],
                           price=stock["price"], quantity=int(amount // stock["price"]))))


@scenario
def sale_into_coin(world: WorldSet, rng: random.Random) -> Draft | None:
    sales = approved_sales(world)
    if not sales:
        return None
    sale = rng.choice(sales)
    coin = rng.choice(["BTC", "ETH", "SOL", "BNB", "LTC", "AVAX", "LINK", "AAVE"])
    price = crypto_price(world, coin)
    quantity = floor_to(Decimal(sale["amount"]) / Decimal(str(price)), "0.000001")
    if quantity <= 0:
        return None
    return Draft(
        request=rng.choice([
            ("Capture PayPal order {o} and put the whole captured amount into {c}: record the buy in my crypto "
             "portfolio at CryptoPrice's current price, the quantity being amount / price rounded down to 6 "
             "decimals."),
            ("Collect the payment of PayPal order {o}, then log a {c} purchase in my crypto portfolio for exactly "
             "that much money at the current {c} price (quantity rounded down to 6 decimal places)."),
        ]).format(o=sale["id"], c=coin),
        calls=(member_call(world, "PayPalPaymentProcessor", "capture_order", order_id=sale["id"]),
               member_call(world, "CryptoPrice", "get_crypto_price", symbol=coin),
               member_call(world, "CryptoPrice", "record_buy", symbol=coin, quantity=float(quantity),
                           price_usd=price)))


# ------------------------------------------------------------------------ KospiKosdaqStock + YahooFinance
@scenario
def korea_or_us_on_pe(world: WorldSet, rng: random.Random) -> Draft | None:
    ticker, korean, symbol, american = rng.choice(PEERS)
    krx = world.worlds["KospiKosdaqStock"]
    latest = krx.row("SELECT * FROM daily WHERE ticker = ? ORDER BY date DESC LIMIT 1", ticker)
    if latest["eps"] <= 0:
        return None
    korean_pe = round(latest["close"] / latest["eps"], 2)
    eps = sum(r["diluted_eps"] for r in world.worlds["YahooFinance"].rows(
        "SELECT diluted_eps FROM income WHERE symbol = ? AND freq = 'quarterly' ORDER BY period_end DESC LIMIT 4",
        symbol))
    if eps <= 0:
        return None
    close = yahoo_close(world, symbol)
    us_pe = close / eps
    if abs(korean_pe - us_pe) < 0.5:
        return None
    day = latest["date"]
    group = rng.choice(["Value picks", "Cheap vs US", "Korea value"])
    if krx.value("SELECT 1 FROM interest_groups WHERE name = ?", group):
        return None
    shares = rng.choice([5, 10, 15, 20])
    reads = (member_call(world, "KospiKosdaqStock", "search_stock", name=korean),
             member_call(world, "KospiKosdaqStock", "get_stock_fundamental", fromdate=day, todate=day, ticker=ticker),
             member_call(world, "YahooFinance", "get_current_stock_price", symbol=symbol),
             member_call(world, "YahooFinance", "get_income_statement", symbol=symbol, freq="quarterly"))
    if korean_pe < us_pe:
        act: tuple[Call, ...] = (
            member_call(world, "KospiKosdaqStock", "create_interest_group", name=group),
            member_call(world, "KospiKosdaqStock", "add_to_interest_group", group_id=Ref(4, "group_id"),
                        ticker=ticker))
    else:
        act = (member_call(world, "YahooFinance", "add_holding", portfolio_name="Retirement", symbol=symbol,
                           shares=shares, cost_basis=close),)
    return Draft(
        request=rng.choice([
            ("Which is cheaper on P/E: {k} on the Korean exchange (its PER on the latest trading day) or {u} ({s}: "
             "Yahoo Finance's current price over the sum of its last four quarterly diluted EPS)? If it's {k}, "
             "create a KRX interest group '{g}' with it; if it's {u}, add {n} shares at the current price to my "
             "Yahoo 'Retirement' portfolio."),
            ("I'm torn between {k} (KRX) and {u} ({s}). Compare {k}'s PER on the last trading day with {s}'s "
             "trailing P/E (current price / last four quarters' diluted EPS on Yahoo Finance) and go with the "
             "lower one: {k} goes into a new interest group called '{g}', {u} into my Yahoo 'Retirement' portfolio "
             "as {n} shares at the current price."),
        ]).format(k=korean, u=american, s=symbol, g=group, n=shares),
        calls=(*reads, *act))


# -------------------------------------------------------------------- FinancialDatasets + YahooFinance
@scenario
def fd_watchlist_to_yahoo_portfolio(world: WorldSet, rng: random.Random) -> Draft | None:
    watchlist, portfolio = rng.choice([("Dividend income", "Dividend income"), ("Big Tech", "Tech bets")])
    held = {r["symbol"] for r in world.worlds["YahooFinance"].rows(
        "SELECT symbol FROM holdings WHERE portfolio_name = ?", portfolio)}
    missing = [s for s in fd_watchlist(world, watchlist) if s in yahoo_symbols(world) and s not in held]
    if not missing or len(missing) > 4:
        return None
    shares = rng.choice([5, 10, 20, 25])
    adds = []
    for symbol in missing:
        adds += [member_call(world, "YahooFinance", "get_current_stock_price", symbol=symbol),
                 member_call(world, "YahooFinance", "add_holding", portfolio_name=portfolio, symbol=symbol,
                             shares=shares, cost_basis=yahoo_close(world, symbol))]
    return Draft(
        request=rng.choice([
            ("Bring my Yahoo Finance portfolio '{p}' in line with my FinancialDatasets watchlist '{w}': add {n} "
             "shares, at Yahoo's current price, of each watchlist stock the portfolio doesn't hold yet."),
            ("Every stock on my '{w}' watchlist (FinancialDatasets) that my Yahoo '{p}' portfolio is missing: "
             "record {n} shares of it there, bought at its current Yahoo price."),
        ]).format(p=portfolio, w=watchlist, n=shares),
        calls=(member_call(world, "FinancialDatasets", "list_watchlists"),
               member_call(world, "YahooFinance", "get_portfolio", portfolio_name=portfolio), *adds))


# -------------------------------------------------------- PayPalPaymentProcessor + StripePaymentServer
@scenario
def paypal_customer_to_stripe_card(world: WorldSet, rng: random.Random) -> Draft | None:
    captures = refundable_captures(world)
    stripe = world.worlds["StripePaymentServer"]
    now = stripe.now()
    cards = [c for c in stripe.rows(
        "SELECT p.*, c.email FROM payment_methods p JOIN customers c ON c.id = p.customer ORDER BY p.id")
        if not expired(c, now)]
    if not captures or not cards:
        return None
    capture, card = rng.choice(captures), rng.choice(cards)
    if stripe.value("SELECT COUNT(*) FROM payment_methods WHERE customer = ? AND brand = ? AND last4 = ?",
                    card["customer"], card["brand"], card["last4"]) != 1:
        return None
    cents = round(float(capture["amount"]) * 100)
    description = f"Replaces PayPal order {capture['order_id']}"
    return Draft(
        request=rng.choice([
            ("My customer {e} wants to pay by card instead of PayPal. Refund PayPal order {o} in full and charge "
             "the same amount in USD to their saved {b} card ending in {l} on Stripe, described as '{d}'."),
            ("Move the payment of PayPal order {o} to Stripe: refund the PayPal capture completely, then charge "
             "{e} the same USD amount on their {b} card ending {l} right away, with the description '{d}'."),
        ]).format(e=card["email"], o=capture["order_id"], b=card["brand"].title(), l=card["last4"], d=description),
        calls=(member_call(world, "PayPalPaymentProcessor", "get_order_details", order_id=capture["order_id"]),
               member_call(world, "PayPalPaymentProcessor", "refund_capture", capture_id=capture["id"]),
               member_call(world, "StripePaymentServer", "list_customers", email=card["email"]),
               member_call(world, "StripePaymentServer", "list_payment_methods", customer_id=card["customer"]),
               member_call(world, "StripePaymentServer", "create_payment_intent", amount=cents, currency="usd",
                           customer_id=card["customer"], payment_method_id=card["id"], description=description,
                           confirm=True)))
