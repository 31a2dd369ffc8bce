"""AmazonProduct: the Amazon catalogue as the Product Advertising API shows it (ASINs, parent/child variations,
browse nodes, offers and deals) with the shopper's cart and wish lists."""

from __future__ import annotations

import datetime as dt
import random
import string
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, draw_unique

#: browse node id -> (name, parent node id, search index).
NODES = {
    "172282": ("Electronics", None, "Electronics"), "12097479011": ("Headphones", "172282", "Electronics"),
    "1292115011": ("Monitors", "172282", "Electronics"), "2407760011": ("Cell Phone Cases", "172282", "Electronics"),
    "1055398": ("Home & Kitchen", None, "HomeAndKitchen"), "289745": ("Coffee Machines", "1055398", "HomeAndKitchen"),
    "289814": ("Cookware", "1055398", "HomeAndKitchen"),
    "7141123011": ("Clothing, Shoes & Jewelry", None, "Fashion"), "1045624": ("Men's T-Shirts", "7141123011",
                   "Fashion"), "679286011": ("Women's Running Shoes", "7141123011", "Fashion"),
    "3375251": ("Sports & Outdoors", None, "SportsAndOutdoors"), "3407731": ("Yoga Mats", "3375251",
                "SportsAndOutdoors"), "3422251": ("Water Bottles", "3375251", "SportsAndOutdoors"),
    "283155": ("Books", None, "Books"), "10": ("Self-Help", "283155", "Books"), "25": ("Science Fiction & Fantasy",
                                                                                    "283155", "Books"),
    "165793011": ("Toys & Games", None, "ToysAndGames"), "166092011": ("Building Toys", "165793011", "ToysAndGames"),
}
SearchIndex = Literal["All", "Electronics", "HomeAndKitchen", "Fashion", "SportsAndOutdoors", "Books", "ToysAndGames"]
#: (title, brand, browse node, price in USD, variation dimension, its values, limit per customer).
PRODUCTS = [
    ("Sony WH-1000XM5 Wireless Noise Canceling Headphones", "Sony", "12097479011", 399.99, "Color",
     ["Black", "Silver", "Midnight Blue"], 3),
    ("Soundcore by Anker Q20i Hybrid Active Noise Cancelling Headphones", "Soundcore", "12097479011", 59.99, "Color",
     ["Black", "Blue", "White"], 5),
    ("JBL Tune 510BT Wireless On-Ear Headphones", "JBL", "12097479011", 49.95, "Color", ["Black", "Blue", "Purple"], 5),
    ("Apple AirPods Pro (2nd Generation) with USB-C", "Apple", "12097479011", 249.00, None, [], 2),
    ("Dell S2721DGF 27-inch QHD Gaming Monitor", "Dell", "1292115011", 329.99, None, [], 2),
    ("Samsung Odyssey G5 Curved Gaming Monitor", "Samsung", "1292115011", 279.99, "Size", ["27-inch", "32-inch"], 2),
    ("Spigen Ultra Hybrid Case for iPhone 15", "Spigen", "2407760011", 15.99, "Color", ["Crystal Clear", "Matte Black",
     "Frost Green"], 10),
    ("OtterBox Commuter Series Case for Galaxy S24", "OtterBox", "2407760011", 39.95, "Color", ["Black", "Blue"], 10),
    ("Keurig K-Classic Single Serve K-Cup Coffee Maker", "Keurig", "289745", 129.99, "Color", ["Black", "Rhubarb"], 2),
    ("Nespresso Vertuo Pop+ Coffee and Espresso Machine", "Nespresso", "289745", 149.00, "Color",
     ["Aqua Mint", "Coconut White", "Liquorice Black"], 2),
    ("Mr. Coffee 12-Cup Programmable Coffee Maker", "Mr. Coffee", "289745", 39.99, None, [], 3),
    ("Lodge Cast Iron Skillet", "Lodge", "289814", 24.90, "Size", ["8 Inch", "10.25 Inch", "12 Inch"], 5),
    ("T-fal Ultimate Hard Anodized Nonstick Cookware Set, 12 Piece", "T-fal", "289814", 139.99, None, [], 2),
    ("Hanes Men's ComfortSoft Short Sleeve T-Shirt", "Hanes", "1045624", 9.00, "Size", ["Medium", "Large",
     "X-Large"], 10),
    ("Amazon Essentials Men's Slim-Fit Crewneck T-Shirt, Pack of 2", "Amazon Essentials", "1045624", 17.10, "Color",
     ["Navy", "White", "Heather Grey"], 10),
    ("Brooks Women's Ghost 15 Neutral Running Shoe", "Brooks", "679286011", 139.95, "Size", ["7", "8", "9"], 3),
    ("ASICS Women's Gel-Contend 8 Running Shoes", "ASICS", "679286011", 70.00, "Size", ["7", "8.5"], 3),
    ("Gaiam Premium 6mm Print Yoga Mat", "Gaiam", "3407731", 34.98, "Color", ["Purple Lotus", "Teal"], 4),
    ("Manduka PRO Yoga Mat 6mm", "Manduka", "3407731", 129.00, None, [], 2),
    ("Hydro Flask 32 oz Wide Mouth Bottle", "Hydro Flask", "3422251", 44.95, "Color", ["Black", "Pacific",
     "White"], 6),
    ("Stanley Quencher H2.0 FlowState Tumbler 40 oz", "Stanley", "3422251", 45.00, "Color", ["Cream", "Rose Quartz",
     "Charcoal"], 2),
    ("CamelBak Chute Mag 25 oz Water Bottle", "CamelBak", "3422251", 18.00, None, [], 6),
    ("Atomic Habits by James Clear", "Avery", "10", 13.79, "Format", ["Hardcover", "Paperback", "Audio CD"], 30),
    ("The 7 Habits of Highly Effective People", "Simon & Schuster", "10", 12.59, None, [], 30),
    ("Project Hail Mary: A Novel", "Ballantine Books", "25", 16.20, "Format", ["Hardcover", "Paperback"], 30),
    ("Fourth Wing (The Empyrean, Book 1)", "Entangled: Red Tower Books", "25", 17.99, None, [], 30),
    ("LEGO Classic Medium Creative Brick Box 10696", "LEGO", "166092011", 29.99, None, [], 5),
    ("LEGO Star Wars X-Wing Starfighter 75355", "LEGO", "166092011", 239.99, None, [], 2),
    ("Magna-Tiles Classic 32-Piece Magnetic Construction Set", "Magna-Tiles", "166092011", 49.99, None, [], 4),
]
DEAL_TYPES = ("LIGHTNING_DEAL", "DEAL_OF_THE_DAY", "BEST_DEAL", "PRIME_EXCLUSIVE")
DealType = Literal["LIGHTNING_DEAL", "DEAL_OF_THE_DAY", "BEST_DEAL", "PRIME_EXCLUSIVE"]
Resource = Literal["ItemInfo", "Offers", "CustomerReviews", "BrowseNodeInfo"]
LISTS = ["Wish List", "Birthday Ideas", "Home Office"]
Asin = Annotated[str, Field(pattern=r"^[A-Z0-9]{10}$")]
MAX_CART_LINES, PAGE = 50, 10
TIME = "%Y-%m-%dT%H:%M"

Item = TypedDict("Item", {"asin": str, "parent_asin": str | None, "title": str | None, "brand": str | None,
                          "variation": str | None, "price": float | None, "list_price": float | None,
                          "savings_percent": int | None, "availability": str | None, "max_order_quantity": int | None,
                          "deal_type": str | None, "rating": float | None, "review_count": int | None,
                          "browse_node_id": str | None})
Search = TypedDict("Search", {"total_results": int, "item_page": int, "items": list[Item]})
Variations = TypedDict("Variations", {"parent_asin": str, "dimension": str, "variation_count": int,
                                      "items": list[Item]})
Node = TypedDict("Node", {"browse_node_id": str, "name": str, "search_index": str, "ancestor": str | None,
                          "children": list[str], "item_count": int})
Deal = TypedDict("Deal", {"deal_id": str, "deal_type": str, "asin": str, "title": str, "deal_price": float,
                          "list_price": float, "percent_claimed": int, "ends": str})
CartLine = TypedDict("CartLine", {"asin": str, "title": str, "quantity": int, "price": float, "line_total": float})
Cart = TypedDict("Cart", {"lines": list[CartLine], "items": int, "subtotal": float})
ListItem = TypedDict("ListItem", {"asin": str, "title": str, "priority": str, "price": float, "added": str})
WishList = TypedDict("WishList", {"list_name": str, "items": list[ListItem]})


def usd(cents: int) -> float:
    return round(cents / 100, 2)


def asin(rng: random.Random) -> str:
    return "B0" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=8))


class AmazonProduct(World):
    """The Amazon.com catalogue: items by ASIN (a parent ASIN groups its variations, which are what is bought),
    browse nodes, offers in USD with per-customer limits and stock, and current deals; plus the shopper's cart and
    wish lists ("Wish List", "Birthday Ideas", "Home Office")."""

    domain = "Commerce"
    schema = """
    CREATE TABLE browse_nodes (browse_node_id TEXT PRIMARY KEY, name TEXT NOT NULL, parent_id TEXT,
                               search_index TEXT NOT NULL);
    CREATE INDEX nodes_by_parent ON browse_nodes (parent_id);
    CREATE TABLE items (asin TEXT PRIMARY KEY, parent_asin TEXT, title TEXT NOT NULL, brand TEXT NOT NULL,
                        variation TEXT, browse_node_id TEXT NOT NULL REFERENCES browse_nodes, price_cents INTEGER,
                        list_price_cents INTEGER, stock INTEGER NOT NULL, max_per_customer INTEGER NOT NULL,
                        rating REAL NOT NULL, review_count INTEGER NOT NULL);
    CREATE INDEX items_by_parent ON items (parent_asin);
    CREATE INDEX items_by_node ON items (browse_node_id);
    CREATE TABLE deals (deal_id TEXT PRIMARY KEY, asin TEXT NOT NULL REFERENCES items, deal_type TEXT NOT NULL,
                        deal_cents INTEGER NOT NULL, percent_claimed INTEGER NOT NULL, ends TEXT NOT NULL);
    CREATE INDEX deals_by_item ON deals (asin, ends);
    CREATE TABLE cart (asin TEXT PRIMARY KEY REFERENCES items, quantity INTEGER NOT NULL, added TEXT NOT NULL);
    CREATE TABLE wish_list_items (list_name TEXT NOT NULL, asin TEXT NOT NULL REFERENCES items,
                                  priority TEXT NOT NULL, added TEXT NOT NULL, PRIMARY KEY (list_name, asin));
    """
    text_search = {"items": ("title", "brand")}
    volatile = {"cart": ("added",), "wish_list_items": ("added",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        items, deals, taken = [], [], set()

        def fresh() -> str:
            return draw_unique(lambda: asin(rng), taken)

        for title, brand, node, price, dimension, values, limit in PRODUCTS:
            parent = fresh() if dimension else None
            base = {"parent_asin": parent, "title": title, "brand": brand, "browse_node_id": node,
                    "max_per_customer": limit, "rating": round(rng.uniform(3.9, 4.9), 1),
                    "review_count": rng.randrange(150, 90000)}
            if parent:
                items.append({**base, "asin": parent, "parent_asin": None, "variation": None, "price_cents": None,
                              "list_price_cents": None, "stock": 0})
            for value in values or [None]:
                cents = round(price * 100 * rng.choice([1, 1, 1, 0.9, 0.85, 0.8, 1.05]))
                items.append({**base, "asin": fresh(), "variation": f"{dimension}: {value}" if value else None,
                              "title": f"{title}, {value}" if value else title, "price_cents": cents,
                              "list_price_cents": max(cents, round(price * 100)),
                              "stock": rng.choice([0, 2, 3, 8, 15, 40, 120, 120])})
        buyable = [i for i in items if i["price_cents"] and i["stock"]]
        for n, item in enumerate(rng.sample(buyable, 14)):
            kind = DEAL_TYPES[n % 4]
            hours = rng.randint(2, 10) if kind == "LIGHTNING_DEAL" else rng.randint(15, 24 * 6)
            deals.append({"deal_id": f"D{rng.randrange(10**9):09d}", "asin": item["asin"], "deal_type": kind,
                          "deal_cents": item["price_cents"] * rng.randint(65, 85) // 100 // 100 * 100 + 99,
                          "percent_claimed": rng.randrange(5, 95),
                          "ends": (cls.start_time + dt.timedelta(hours=hours)).strftime(TIME)})
        db["browse_nodes"].insert_all({"browse_node_id": k, "name": v[0], "parent_id": v[1], "search_index": v[2]}
                                      for k, v in NODES.items())
        db["items"].insert_all(items)
        db["deals"].insert_all(deals)
        db["cart"].insert_all({"asin": i["asin"], "quantity": 1, "added": str(cls.days_before_start(rng, 1, 20))}
                              for i in rng.sample(buyable, 3))
        saved = []
        for i in rng.sample(buyable, 9):
            saved.append({"list_name": rng.choice(LISTS), "asin": i["asin"], "priority": rng.choice(
                ["lowest", "low", "medium", "high", "highest"]), "added": str(cls.days_before_start(rng, 2, 200))})
        db["wish_list_items"].insert_all(saved)

    # ----------------------------------------------------------------- helpers
    def _offer(self, item: dict[str, Any]) -> tuple[int | None, str | None]:
        """The price a shopper pays now (a running deal's price, else the offer) and the deal type."""
        deal = self.row("SELECT * FROM deals WHERE asin = ? AND ends > ?", item["asin"], self.now().strftime(TIME))
        return (deal["deal_cents"], deal["deal_type"]) if deal else (item["price_cents"], None)

    def _item(self, row: dict[str, Any], resources: list[str] | None = None) -> Item:
        want = set(resources or Resource.__args__)
        price, deal = self._offer(row)
        stock, parent = row["stock"], row["price_cents"] is None
        offers = "Offers" in want and not parent
        info, reviews = "ItemInfo" in want, "CustomerReviews" in want
        return {"asin": row["asin"], "parent_asin": row["parent_asin"], "title": row["title"] if info else None,
                "brand": row["brand"] if info else None, "variation": row["variation"] if info else None,
                "price": usd(price) if offers else None,
                "list_price": usd(row["list_price_cents"]) if offers else None,
                "savings_percent": round(100 - price * 100 / row["list_price_cents"]) if offers else None,
                "availability": None if not offers else "Out of Stock" if not stock else
                f"Only {stock} left in stock" if stock < 10 else "In Stock",
                "max_order_quantity": row["max_per_customer"] if offers else None,
                "deal_type": deal if offers else None, "rating": row["rating"] if reviews else None,
                "review_count": row["review_count"] if reviews else None,
                "browse_node_id": row["browse_node_id"] if "BrowseNodeInfo" in want else None}

    def _buyable(self, asin: str) -> dict[str, Any]:
        item = self.require("SELECT * FROM items WHERE asin = ?", asin,
                            error=f"no item with ASIN '{asin}'; search_items finds items by keywords")
        if item["price_cents"] is None:
            raise ToolError(f"{asin} is the parent of '{item['title']}' variations and cannot be bought itself; "
                            "get_variations lists the ASIN of each variation")
        return item

    def _limit(self, item: dict[str, Any], quantity: int) -> None:
        if item["stock"] == 0:
            raise ToolError(f"'{item['title']}' is currently unavailable (out of stock)")
        if quantity > item["max_per_customer"]:
            raise ToolError(f"'{item['title']}' is limited to {item['max_per_customer']} per customer; "
                            f"{quantity} would be over the limit")
        if quantity > item["stock"]:
            raise ToolError(f"only {item['stock']} of '{item['title']}' left in stock; {quantity} requested")

    # ----------------------------------------------------------------- catalogue
    @tool(phrase=["search Amazon for {keywords}[ in {search_index}]", "find {keywords} on Amazon[ (page {item_page})]"])
    def search_items(self, keywords: NonEmptyStr, search_index: SearchIndex = "All",
                     item_page: Annotated[int, Field(ge=1, le=10)] = 1,
                     resources: list[Resource] | None = None) -> Search:
        """Search the catalogue by keywords in the title or brand; 10 items per page, parents and stand-alone items
        only (get_variations lists a parent's variations), best rated first.

        Args:
            keywords: Words of the title or brand, e.g. "water bottle".
            search_index: Only this department.
            item_page: Page of results, 1-10.
            resources: Which parts of each item to return (default: all).
        """
        matches, params = self.text_filter("items", keywords)
        rows = self.rows(f"SELECT items.* FROM items JOIN browse_nodes n USING (browse_node_id) WHERE {matches}"
                         " AND (items.parent_asin IS NULL) AND (? = 'All' OR n.search_index = ?)"
                         " ORDER BY items.rating DESC, items.review_count DESC, items.asin", *params, search_index,
                         search_index)
        page = rows[(item_page - 1) * PAGE:item_page * PAGE]
        return {"total_results": len(rows), "item_page": item_page, "items": [self._item(r, resources) for r in page]}

    @tool(phrase=["look up the items {asins}", "get the details of ASIN {asins}"])
    def get_items(self, asins: Annotated[list[Asin], Field(min_length=1, max_length=10)],
                  resources: list[Resource] | None = None) -> list[Item]:
        """Details of up to 10 items by ASIN, in the order asked.

        Args:
            asins: 10-character ASINs, e.g. "B0BXYCS74H".
            resources: Which parts of each item to return (default: all).
        """
        found = []
        for code in asins:
            found.append(self._item(self.require("SELECT * FROM items WHERE asin = ?", code,
                                                 error=f"no item with ASIN '{code}'"), resources))
        return found

    @tool(phrase=["show the variations of a product", "list the colors and sizes a product comes in"])
    def get_variations(self, asin: Asin, resources: list[Resource] | None = None) -> Variations:
        """The variations (colors, sizes, formats) of a product, given its parent ASIN or any variation's ASIN.

        Args:
            asin: The parent ASIN or the ASIN of one variation.
            resources: Which parts of each item to return (default: all).
        """
        item = self.require("SELECT * FROM items WHERE asin = ?", asin, error=f"no item with ASIN '{asin}'")
        parent = item["parent_asin"] or asin
        rows = self.rows("SELECT * FROM items WHERE parent_asin = ? ORDER BY asin", parent)
        if not rows:
            raise ToolError(f"'{item['title']}' ({asin}) has no variations; it is sold as it is")
        return {"parent_asin": parent, "dimension": rows[0]["variation"].split(":")[0],
                "variation_count": len(rows), "items": [self._item(r, resources) for r in rows]}

    @tool(phrase=["look up the Amazon category details for {browse_node_ids}",
                  "show the sub-categories of {browse_node_ids}"])
    def get_browse_nodes(self, browse_node_ids: Annotated[list[Annotated[str, UserKnown, Field(pattern=r"^\d+$")]],
                                                          Field(min_length=1, max_length=10)]) -> list[Node]:
        """Browse nodes (Amazon categories) by id: name, department, parent category, sub-categories and the number
        of products filed under the node.

        Args:
            browse_node_ids: Numeric browse node ids, e.g. "172282" (Electronics).
        """
        found = []
        for node_id in browse_node_ids:
            node = self.require("SELECT * FROM browse_nodes WHERE browse_node_id = ?", node_id,
                                error=f"no browse node '{node_id}'")
            found.append({"browse_node_id": node_id, "name": node["name"], "search_index": node["search_index"],
                          "ancestor": node["parent_id"], "children": [r["browse_node_id"] for r in self.rows(
                              "SELECT browse_node_id FROM browse_nodes WHERE parent_id = ? ORDER BY name", node_id)],
                          "item_count": self.value("SELECT COUNT(*) FROM items i JOIN browse_nodes n USING"
                                                   " (browse_node_id) WHERE i.parent_asin IS NULL AND (n.browse_node_id"
                                                   " = ?1 OR n.parent_id = ?1)", node_id)})
        return found

    @tool(phrase=["show the Amazon deals of type {deal_types}", "list the current Amazon deals"])
    def get_deals(self, deal_types: list[DealType] | None = None) -> list[Deal]:
        """Deals running now, ending soonest first.

        Args:
            deal_types: Only these kinds of deal.
        """
        kinds = list(deal_types or DEAL_TYPES)
        rows = self.rows(f"SELECT d.*, i.title, i.list_price_cents FROM deals d JOIN items i USING (asin) WHERE"
                         f" d.ends > ? AND d.deal_type IN ({', '.join('?' * len(kinds))}) ORDER BY d.ends, d.deal_id",
                         self.now().strftime(TIME), *kinds)
        return [{"deal_id": r["deal_id"], "deal_type": r["deal_type"], "asin": r["asin"], "title": r["title"],
                 "deal_price": usd(r["deal_cents"]), "list_price": usd(r["list_price_cents"]),
                 "percent_claimed": r["percent_claimed"], "ends": r["ends"]} for r in rows]

    # ----------------------------------------------------------------- cart and wish lists
    @tool(phrase=["show my Amazon cart", "check what my Amazon cart comes to"])
    def get_cart(self) -> Cart:
        """The shopper's cart at today's prices (running deals applied) and its subtotal."""
        lines = []
        for row in self.rows("SELECT c.quantity, i.* FROM cart c JOIN items i USING (asin) ORDER BY c.added, asin"):
            price = self._offer(row)[0]
            lines.append({"asin": row["asin"], "title": row["title"], "quantity": row["quantity"],
                          "price": usd(price), "line_total": usd(price * row["quantity"])})
        return {"lines": lines, "items": sum(line["quantity"] for line in lines),
                "subtotal": round(sum(line["line_total"] for line in lines), 2)}

    @tool(writes=True, phrase=["add {quantity} of an item to my cart", "put an item in my Amazon cart",
                               "buy {quantity} of a product - add it to my cart"])
    def add_to_cart(self, asin: Asin, quantity: Annotated[int, Field(ge=1, le=30)] = 1) -> Cart:
        """Add an item (a variation, not a parent ASIN) to the cart; what is already there counts toward the item's
        stock and per-customer limit.

        Args:
            asin: The ASIN of the item.
            quantity: How many to add.
        """
        item = self._buyable(asin)
        have = self.value("SELECT quantity FROM cart WHERE asin = ?", asin) or 0
        if not have and self.value("SELECT COUNT(*) FROM cart") >= MAX_CART_LINES:
            raise ToolError(f"the cart holds at most {MAX_CART_LINES} different items; remove one first")
        self._limit(item, have + quantity)
        self.execute("INSERT INTO cart VALUES (?, ?, ?) ON CONFLICT (asin) DO UPDATE SET quantity = quantity + ?",
                     asin, quantity, self.now().strftime(TIME), quantity)
        return self.get_cart()

    @tool(writes=True, phrase=["change the quantity of an item in my cart to {quantity}",
                               "remove an item from my cart"])
    def update_cart_item(self, asin: Asin, quantity: Annotated[int, Field(ge=0, le=30)]) -> Cart:
        """Set how many of an item in the cart are wanted; 0 removes it.

        Args:
            asin: The ASIN of an item in the cart.
            quantity: The new quantity (0 removes the item).
        """
        item = self._buyable(asin)
        if not self.value("SELECT 1 FROM cart WHERE asin = ?", asin):
            raise ToolError(f"'{item['title']}' is not in your cart; add it with add_to_cart")
        if quantity == 0:
            self.execute("DELETE FROM cart WHERE asin = ?", asin)
        else:
            self._limit(item, quantity)
            self.execute("UPDATE cart SET quantity = ? WHERE asin = ?", quantity, asin)
        return self.get_cart()

    @tool(phrase=["show my {list_name} list", "show what is on my {list_name} list"])
    def get_wish_list(self, list_name: Annotated[str, UserKnown] = "Wish List") -> WishList:
        """The items saved on one of the shopper's wish lists, highest priority first.

        Args:
            list_name: "Wish List", "Birthday Ideas" or "Home Office".
        """
        name = self._list(list_name)
        rows = self.rows("SELECT w.*, i.* FROM wish_list_items w JOIN items i USING (asin) WHERE list_name = ?"
                         " ORDER BY instr('highest high medium low lowest', priority), w.added, asin", name)
        return {"list_name": name, "items": [{"asin": r["asin"], "title": r["title"], "priority": r["priority"],
                                              "price": usd(self._offer(r)[0]), "added": r["added"]} for r in rows]}

    def _list(self, list_name: str) -> str:
        name = next((n for n in LISTS if n.lower() == list_name.strip().lower()), None)
        if name is None:
            raise ToolError(f"you have no wish list called '{list_name}'; your lists: {', '.join(LISTS)}")
        return name

    @tool(writes=True, phrase=["save an item to my {list_name} list[ with {priority} priority]",
                               "add a product to my {list_name} list[ as {priority} priority]",
                               "save an item to my wish list[ with {priority} priority]"])
    def add_to_wish_list(self, asin: Asin, list_name: Annotated[str, UserKnown] = "Wish List",
                         priority: Literal["lowest", "low", "medium", "high", "highest"] = "medium") -> WishList:
        """Save an item (a variation, not a parent ASIN) to a wish list; an item is on a list once.

        Args:
            asin: The ASIN of the item.
            list_name: "Wish List", "Birthday Ideas" or "Home Office".
            priority: How much the shopper wants it.
        """
        item, name = self._buyable(asin), self._list(list_name)
        if self.value("SELECT 1 FROM wish_list_items WHERE list_name = ? AND asin = ?", name, asin):
            raise ToolError(f"'{item['title']}' is already on your {name} list")
        self.execute("INSERT INTO wish_list_items VALUES (?, ?, ?, ?)", name, asin, priority,
                     self.now().strftime(TIME))
        return self.get_wish_list(name)

    @tool(writes=True, phrase=["take an item off my {list_name} list", "remove a product from my {list_name} list",
                               "take an item off my wish list"])
    def remove_from_wish_list(self, asin: Asin, list_name: Annotated[str, UserKnown] = "Wish List") -> WishList:
        """Remove an item from a wish list.

        Args:
            asin: The ASIN of the item.
            list_name: The list it is on.
        """
        name = self._list(list_name)
        if not self.execute("DELETE FROM wish_list_items WHERE list_name = ? AND asin = ?", name, asin):
            raise ToolError(f"{asin} is not on your {name} list; get_wish_list shows what is")
        return self.get_wish_list(name)
