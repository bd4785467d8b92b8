"""A fixed test catalog and the relevance set of issue 14: queries as shoppers type them
(Indonesian and English, misspelt, in other word forms) with the products a person would
expect on the first page. Used by test_search_relevance.py on SQLite and PostgreSQL."""

from __future__ import annotations

from factories import make_category, make_facility, make_product

from shop.extensions import db

# key: (name, technique, materials, category key)
PRODUCTS = {
    "batik_kawung": ("Kain Batik Tulis Kawung", "batik tulis", "katun primisima", "batik"),
    "batik_parang": ("Kain Batik Cap Parang", "batik cap", "katun", "batik"),
    "selendang_batik": ("Selendang Batik Mega Mendung", "batik tulis", "sutra", "batik"),
    "kemeja_batik": ("Kemeja Batik Lengan Panjang", "batik cap", "katun", "pakaian"),
    "kemeja_tenun": ("Kemeja Tenun Ikat", "tenun ikat", "benang katun", "pakaian"),
    "syal_songket": ("Syal Tenun Songket", "tenun songket", "benang sutra", "tenun"),
    "kain_tenun": ("Kain Tenun Ikat Sumba", "tenun ikat", "benang katun", "tenun"),
    "sarung": ("Sarung Tenunan Donggala", "tenun", "benang sutra", "tenun"),
    "tas_pandan": ("Tas Anyaman Pandan", "anyaman", "daun pandan", "anyaman"),
    "tas_rotan": ("Tas Rotan Bundar", "anyaman", "rotan", "anyaman"),
    "keranjang_rotan": ("Keranjang Rotan Besar", "anyaman", "rotan", "anyaman"),
    "keranjang_bambu": ("Keranjang Bambu Kecil", "anyaman", "bambu", "anyaman"),
    "tikar": ("Tikar Anyam Mendong", "anyam", "mendong", "anyaman"),
    "topi_bambu": ("Topi Anyaman Bambu", "anyaman", "bambu", "anyaman"),
    "ukiran_burung": ("Ukiran Kayu Jati Burung", "ukir", "kayu jati", "kayu"),
    "patung_garuda": ("Patung Garuda Ukir", "ukir", "kayu suar", "kayu"),
    "topeng": ("Topeng Malangan", "ukir", "kayu pule", "kayu"),
    "meja": ("Meja Jati Minimalis", "pertukangan", "kayu jati", "mebel"),
    "kursi_rotan": ("Kursi Rotan Teras", "anyaman", "rotan", "mebel"),
    "dompet": ("Dompet Kulit Sapi", "jahit tangan", "kulit sapi", "kulit"),
    "tas_kulit": ("Tas Kulit Selempang", "jahit tangan", "kulit sapi", "kulit"),
    "sepatu": ("Sepatu Kulit Pria", "jahit", "kulit sapi", "kulit"),
    "sandal": ("Sandal Kulit Anyam", "anyam", "kulit domba", "kulit"),
    "gelang": ("Gelang Perak Ukir", "ukir", "perak", "perhiasan"),
    "kalung": ("Kalung Manik Kayu", "rangkai", "manik kayu", "perhiasan"),
    "sabun": ("Sabun Sereh Alami", "cetak dingin", "minyak kelapa, sereh", "lainnya"),
    "kopi": ("Kopi Arabika Gayo", "sangrai", "biji kopi arabika", "lainnya"),
    "lukisan": ("Lukisan Kaca Wayang", "lukis kaca", "kaca, cat", "seni"),
    "bantal": ("Sarung Bantal Sulam Bunga", "sulam", "katun", "tekstil"),
    "taplak": ("Taplak Meja Bordir Kerawang", "bordir", "katun", "tekstil"),
    "boneka": ("Boneka Rajut Kelinci", "rajut", "benang wol", "rajut"),
    "tas_rajut": ("Tas Rajut Benang", "rajut", "benang nilon", "rajut"),
}

CATEGORIES = {
    "batik": ("Batik", "Batik"),
    "pakaian": ("Pakaian", "Clothing"),
    "tenun": ("Tenun", "Woven Cloth"),
    "anyaman": ("Anyaman", "Weaving"),
    "kayu": ("Kerajinan Kayu", "Woodcraft"),
    "mebel": ("Mebel", "Furniture"),
    "kulit": ("Kerajinan Kulit", "Leather Goods"),
    "perhiasan": ("Perhiasan", "Jewellery"),
    "lainnya": ("Lainnya", "Other"),
    "seni": ("Seni Lukis", "Art"),
    "tekstil": ("Tekstil Rumah", "Home Textiles"),
    "rajut": ("Rajutan", "Knitwear"),
}

_TAS = {"tas_pandan", "tas_rotan", "tas_kulit", "tas_rajut"}
_BATIK = {"batik_kawung", "batik_parang", "selendang_batik", "kemeja_batik"}
_TENUN = {"kemeja_tenun", "syal_songket", "kain_tenun", "sarung"}
_ANYAM = {
    "tas_pandan",
    "tas_rotan",
    "keranjang_rotan",
    "keranjang_bambu",
    "tikar",
    "topi_bambu",
    "kursi_rotan",
    "sandal",
}
_UKIR = {"ukiran_burung", "patung_garuda", "topeng", "gelang"}
_ROTAN = {"tas_rotan", "keranjang_rotan", "kursi_rotan"}
_KULIT = {"dompet", "tas_kulit", "sepatu", "sandal"}
_KAYU = {"ukiran_burung", "patung_garuda", "topeng", "meja", "kalung"}

# query → the products a person expects on page 1 (and nothing else in the top 10
# counts as relevant).
RELEVANCE: dict[str, set[str]] = {
    # Indonesian, as written
    "batik": _BATIK,
    "batik tulis": {"batik_kawung", "selendang_batik"},
    "kain batik": {"batik_kawung", "batik_parang"},
    "selendang": {"selendang_batik"},
    "kemeja": {"kemeja_batik", "kemeja_tenun"},
    "kemeja batik": {"kemeja_batik"},
    "tenun": _TENUN,
    "tenun ikat": {"kemeja_tenun", "kain_tenun"},
    "songket": {"syal_songket"},
    "tas": _TAS,
    "tas rotan": {"tas_rotan"},
    "tas kulit": {"tas_kulit"},
    "keranjang": {"keranjang_rotan", "keranjang_bambu"},
    "keranjang rotan": {"keranjang_rotan"},
    "rotan": _ROTAN,
    "bambu": {"keranjang_bambu", "topi_bambu"},
    "kulit": _KULIT,
    "kayu jati": {"ukiran_burung", "meja"},
    "patung": {"patung_garuda"},
    "dompet": {"dompet"},
    "sepatu": {"sepatu"},
    "gelang perak": {"gelang"},
    "kalung": {"kalung"},
    "topeng": {"topeng"},
    "sabun": {"sabun"},
    "kopi": {"kopi"},
    "bordir": {"taplak"},
    "boneka": {"boneka"},
    # Indonesian word forms
    "anyaman": _ANYAM,
    "anyam": _ANYAM,
    "ukir": _UKIR,
    "ukiran": _UKIR,
    "tenunan": _TENUN,
    "menenun": _TENUN,
    "rajutan": {"boneka", "tas_rajut"},
    "sulaman": {"bantal"},
    "lukis": {"lukisan"},
    "anyaman bambu": {"keranjang_bambu", "topi_bambu"},
    "ukiran kayu": {"ukiran_burung", "patung_garuda", "topeng"},
    # misspellings
    "battik": _BATIK,
    "batk": _BATIK,
    "tennun": _TENUN,
    "selndang": {"selendang_batik"},
    "kemaja": {"kemeja_batik", "kemeja_tenun"},
    "keranjng": {"keranjang_rotan", "keranjang_bambu"},
    "dompett": {"dompet"},
    "spatu": {"sepatu"},
    "rottan": _ROTAN,
    "bmbu": {"keranjang_bambu", "topi_bambu"},
    "ukrian": _UKIR,
    "gelnag": {"gelang"},
    "songkt": {"syal_songket"},
    "battik tulis": {"batik_kawung", "selendang_batik"},
    # English
    "bag": _TAS,
    "bags": _TAS,
    "scarf": {"selendang_batik", "syal_songket"},
    "shirt": {"kemeja_batik", "kemeja_tenun"},
    "batik shirt": {"kemeja_batik"},
    "cloth": {"batik_kawung", "batik_parang", "kain_tenun"},
    "wood": _KAYU,
    "rattan basket": {"keranjang_rotan"},
    "basket": {"keranjang_rotan", "keranjang_bambu"},
    "rattan": _ROTAN,
    "leather": _KULIT,
    "leather bag": {"tas_kulit"},
    "leather wallet": {"dompet"},
    "wallet": {"dompet"},
    "shoes": {"sepatu"},
    "sandals": {"sandal"},
    "bracelet": {"gelang"},
    "silver bracelet": {"gelang"},
    "necklace": {"kalung"},
    "mat": {"tikar"},
    "hat": {"topi_bambu"},
    "table": {"meja", "taplak"},
    "chair": {"kursi_rotan"},
    "painting": {"lukisan"},
    "mask": {"topeng"},
    "wooden mask": {"topeng"},
    "doll": {"boneka"},
    "embroidery": {"taplak", "bantal"},
    "soap": {"sabun"},
    "coffee": {"kopi"},
    "pillow": {"bantal"},
    "carving": _UKIR,
    "bamboo": {"keranjang_bambu", "topi_bambu"},
    "sarong": {"sarung"},
    # English, misspelt
    "bracelt": {"gelang"},
    "necklase": {"kalung"},
}


def relevance_shop() -> dict[str, int]:
    """The test catalog (plus a draft and a hidden product that must never be found);
    returns product ids by key."""
    from datetime import UTC, datetime

    tasik = make_facility(
        slug="lapas-tasikmalaya", name="Lapas Kelas IIB Tasikmalaya", city="Tasikmalaya"
    )
    kerobokan = make_facility(
        slug="lapas-kerobokan", name="Lapas Kelas IIA Kerobokan", city="Denpasar"
    )
    categories = {
        key: make_category(slug=key, name_id=name_id, name_en=name_en)
        for key, (name_id, name_en) in CATEGORIES.items()
    }
    ids = {}
    for n, (key, (name, technique, materials, category)) in enumerate(PRODUCTS.items()):
        product = make_product(
            tasik if n % 2 else kerobokan,
            categories[category],
            slug=key.replace("_", "-"),
            name=name,
            technique=technique,
            materials=materials,
            description="",
            price=50_000 + 25_000 * n,
        )
        ids[key] = product.id
    make_product(kerobokan, categories["batik"], name="Batik Draf", status="draft")
    make_product(
        kerobokan, categories["batik"], name="Batik Tersembunyi", hidden_at=datetime.now(UTC)
    )
    db.session.commit()
    return ids
