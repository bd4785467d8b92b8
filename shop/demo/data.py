# ruff: noqa: E501  (tables of words read better one entry per line)
"""Static demo content: facilities, categories and the words products are made from."""

from __future__ import annotations

# (name, kind, province, city, specialities as category slugs)
FACILITIES: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    (
        "Lapas Kelas IIA Banyuwangi",
        "Lapas",
        "Jawa Timur",
        "Banyuwangi",
        ("batik-tulis", "batik-cap", "kerajinan-kayu"),
    ),
    (
        "Rutan Kelas I Surakarta",
        "Rutan",
        "Jawa Tengah",
        "Surakarta",
        ("batik-tulis", "batik-cap", "lukisan"),
    ),
    (
        "LPKA Kelas I Tangerang",
        "LPKA",
        "Banten",
        "Tangerang",
        ("lukisan", "kerajinan-kayu", "keramik"),
    ),
    (
        "Lapas Perempuan Kelas IIA Semarang",
        "LPP",
        "Jawa Tengah",
        "Semarang",
        ("batik-tulis", "tenun", "anyaman-rotan"),
    ),
    (
        "Lapas Kelas IIA Pekalongan",
        "Lapas",
        "Jawa Tengah",
        "Pekalongan",
        ("batik-cap", "batik-tulis"),
    ),
    (
        "Lapas Kelas IIA Yogyakarta",
        "Lapas",
        "DI Yogyakarta",
        "Yogyakarta",
        ("batik-tulis", "kulit", "lukisan"),
    ),
    ("Rutan Kelas IIB Jepara", "Rutan", "Jawa Tengah", "Jepara", ("kerajinan-kayu",)),
    (
        "Lapas Kelas I Cirebon",
        "Lapas",
        "Jawa Barat",
        "Cirebon",
        ("batik-cap", "anyaman-rotan", "kerajinan-kayu"),
    ),
    ("Rutan Kelas IIB Garut", "Rutan", "Jawa Barat", "Garut", ("kulit",)),
    ("LPKA Kelas II Bandung", "LPKA", "Jawa Barat", "Bandung", ("lukisan", "kulit", "keramik")),
    (
        "Lapas Kelas IIA Kerobokan",
        "Lapas",
        "Bali",
        "Badung",
        ("kerajinan-kayu", "lukisan", "tenun"),
    ),
    (
        "Lapas Kelas IIA Mataram",
        "Lapas",
        "Nusa Tenggara Barat",
        "Mataram",
        ("tenun", "keramik", "anyaman-rotan"),
    ),
    ("Lapas Kelas IIA Kupang", "Lapas", "Nusa Tenggara Timur", "Kupang", ("tenun",)),
    (
        "Lapas Kelas IIB Waingapu",
        "Lapas",
        "Nusa Tenggara Timur",
        "Waingapu",
        ("tenun", "anyaman-rotan"),
    ),
    (
        "Lapas Perempuan Kelas IIA Palembang",
        "LPP",
        "Sumatera Selatan",
        "Palembang",
        ("tenun", "batik-cap"),
    ),
    (
        "Lapas Kelas I Medan",
        "Lapas",
        "Sumatera Utara",
        "Medan",
        ("tenun", "kerajinan-kayu", "kulit"),
    ),
    ("Lapas Kelas IIA Padang", "Lapas", "Sumatera Barat", "Padang", ("tenun", "kerajinan-kayu")),
    (
        "Lapas Kelas IIA Samarinda",
        "Lapas",
        "Kalimantan Timur",
        "Samarinda",
        ("anyaman-rotan", "kerajinan-kayu"),
    ),
    (
        "Lapas Kelas IIA Banjarmasin",
        "Lapas",
        "Kalimantan Selatan",
        "Banjarmasin",
        ("batik-cap", "anyaman-rotan"),
    ),
    (
        "Lapas Kelas IIA Palangka Raya",
        "Lapas",
        "Kalimantan Tengah",
        "Palangka Raya",
        ("anyaman-rotan", "kerajinan-kayu"),
    ),
    (
        "Lapas Kelas I Makassar",
        "Lapas",
        "Sulawesi Selatan",
        "Makassar",
        ("tenun", "keramik", "kulit"),
    ),
    ("Rutan Kelas IIA Manado", "Rutan", "Sulawesi Utara", "Manado", ("kerajinan-kayu", "lukisan")),
    (
        "Lapas Kelas IIA Kendari",
        "Lapas",
        "Sulawesi Tenggara",
        "Kendari",
        ("tenun", "anyaman-rotan"),
    ),
    ("Lapas Kelas IIA Ambon", "Lapas", "Maluku", "Ambon", ("kerajinan-kayu", "lukisan")),
    (
        "Lapas Kelas IIA Abepura",
        "Lapas",
        "Papua",
        "Jayapura",
        ("kerajinan-kayu", "anyaman-rotan", "lukisan"),
    ),
    (
        "Rutan Kelas I Cipinang",
        "Rutan",
        "DKI Jakarta",
        "Jakarta Timur",
        ("kulit", "lukisan", "keramik"),
    ),
    (
        "Lapas Perempuan Kelas IIA Malang",
        "LPP",
        "Jawa Timur",
        "Malang",
        ("batik-tulis", "keramik", "anyaman-rotan"),
    ),
    (
        "Lapas Kelas IIA Pontianak",
        "Lapas",
        "Kalimantan Barat",
        "Pontianak",
        ("tenun", "anyaman-rotan"),
    ),
    ("Lapas Kelas IIA Lhokseumawe", "Lapas", "Aceh", "Lhokseumawe", ("tenun", "kerajinan-kayu")),
    ("LPKA Kelas II Kutoarjo", "LPKA", "Jawa Tengah", "Purworejo", ("batik-cap", "keramik")),
]

# Further places for runs asking for more facilities than the list above.
EXTRA_PLACES: list[tuple[str, str]] = [
    ("Jawa Timur", "Madiun"),
    ("Jawa Timur", "Jember"),
    ("Jawa Timur", "Kediri"),
    ("Jawa Tengah", "Magelang"),
    ("Jawa Tengah", "Kudus"),
    ("Jawa Barat", "Sukabumi"),
    ("Jawa Barat", "Tasikmalaya"),
    ("Banten", "Serang"),
    ("Lampung", "Bandar Lampung"),
    ("Riau", "Pekanbaru"),
    ("Jambi", "Jambi"),
    ("Bengkulu", "Bengkulu"),
    ("Sulawesi Tengah", "Palu"),
    ("Gorontalo", "Gorontalo"),
    ("Maluku Utara", "Ternate"),
    ("Kepulauan Riau", "Tanjung Pinang"),
    ("Bali", "Singaraja"),
    ("Nusa Tenggara Timur", "Ende"),
]
EXTRA_KINDS = [
    ("Lapas Kelas IIB", "Lapas"),
    ("Rutan Kelas IIB", "Rutan"),
    ("Lapas Kelas III", "Lapas"),
]

STORY_OPENINGS = [
    "Bengkel kerja {name} dibuka untuk memberi warga binaan keterampilan yang bisa dibawa pulang.",
    "Di {name}, pelatihan kerja berlangsung setiap hari di ruang bengkel dekat blok hunian.",
    "Sejak program pembinaan kemandirian dimulai, warga binaan {name} belajar dari perajin {city}.",
]
STORY_MIDDLES = {
    "batik-tulis": "Kain batik tulis dikerjakan dengan canting dan malam panas, satu lembar bisa memakan waktu berminggu-minggu.",
    "batik-cap": "Batik cap dibuat dengan cap tembaga warisan perajin setempat, lalu diwarnai dan dilorod bersama-sama.",
    "tenun": "Para penenun memakai alat tenun gedogan dan ATBM, dengan motif yang diajarkan turun-temurun di {province}.",
    "anyaman-rotan": "Rotan dan bambu dari pemasok di sekitar {city} dianyam menjadi tas, nampan dan keranjang.",
    "kerajinan-kayu": "Di bengkel kayu, sisa kayu jati dan mahoni diolah menjadi peralatan rumah tangga dan ukiran.",
    "kulit": "Bengkel kulit mengolah kulit sapi samak nabati menjadi dompet, tas dan ikat pinggang yang dijahit tangan.",
    "lukisan": "Kelas melukis dibimbing relawan seniman; banyak karya menggambarkan kampung halaman para pelukisnya.",
    "keramik": "Tanah liat dibentuk di meja putar, dibakar di tungku bengkel dan diglasir dengan warna-warna alam.",
}
STORY_CLOSINGS = [
    "Setiap pembelian membiayai bahan produksi berikutnya dan premi bagi para pembuatnya.",
    "Hasil penjualan dibagi untuk premi warga binaan, PNBP negara dan modal produksi bengkel.",
    "Premi yang diterima membantu keluarga di rumah dan menjadi bekal setelah bebas.",
]

# slug → (name_id, name_en, description_id, description_en)
CATEGORIES: dict[str, tuple[str, str, str, str]] = {
    "batik-tulis": (
        "Batik Tulis",
        "Hand-drawn Batik",
        "Kain dan busana batik yang motifnya digambar tangan dengan canting dan malam.",
        "Cloth and garments whose motifs are drawn by hand in hot wax with a canting.",
    ),
    "batik-cap": (
        "Batik Cap",
        "Stamped Batik",
        "Batik yang malamnya dicapkan dengan cap tembaga, rapi dan terjangkau.",
        "Batik waxed with hand-held copper stamps: neat and affordable.",
    ),
    "tenun": (
        "Tenun",
        "Woven Cloth",
        "Kain tenun ikat dan songket dari alat tenun tradisional.",
        "Ikat and songket cloth woven on traditional looms.",
    ),
    "anyaman-rotan": (
        "Anyaman Rotan",
        "Rattan Weaving",
        "Tas, nampan dan keranjang anyaman rotan dan bambu.",
        "Bags, trays and baskets woven from rattan and bamboo.",
    ),
    "kerajinan-kayu": (
        "Kerajinan Kayu",
        "Woodcraft",
        "Talenan, mangkuk, kotak dan ukiran dari kayu jati dan mahoni.",
        "Boards, bowls, boxes and carvings in teak and mahogany.",
    ),
    "kulit": (
        "Kerajinan Kulit",
        "Leather Goods",
        "Dompet, tas dan ikat pinggang kulit yang dijahit tangan.",
        "Hand-stitched leather wallets, bags and belts.",
    ),
    "lukisan": (
        "Lukisan",
        "Paintings",
        "Lukisan cat minyak dan akrilik karya warga binaan.",
        "Oil and acrylic paintings by the facilities' artists.",
    ),
    "keramik": (
        "Keramik",
        "Ceramics",
        "Vas, guci dan mangkuk gerabah berglasir buatan tangan.",
        "Hand-thrown glazed vases, jars and bowls.",
    ),
}

# slug → (min price, max price, min weight g, max weight g, share of one-of-a-kind)
PRICING: dict[str, tuple[int, int, int, int, float]] = {
    "batik-tulis": (350_000, 2_500_000, 250, 600, 0.85),
    "batik-cap": (150_000, 450_000, 200, 500, 0.1),
    "tenun": (250_000, 3_000_000, 300, 900, 0.6),
    "anyaman-rotan": (60_000, 450_000, 200, 1500, 0.15),
    "kerajinan-kayu": (75_000, 1_500_000, 300, 3000, 0.35),
    "kulit": (120_000, 950_000, 100, 900, 0.2),
    "lukisan": (400_000, 5_000_000, 800, 4000, 1.0),
    "keramik": (80_000, 850_000, 400, 2500, 0.5),
}
SKU_PREFIX = {
    "batik-tulis": "BTL",
    "batik-cap": "BCP",
    "tenun": "TNN",
    "anyaman-rotan": "ROT",
    "kerajinan-kayu": "KYU",
    "kulit": "KLT",
    "lukisan": "LKS",
    "keramik": "KRM",
}

BATIK_MOTIF_NAMES = {
    "kawung": "Kawung",
    "parang": "Parang Rusak",
    "ceplok": "Ceplok Bintang",
    "truntum": "Truntum",
}
BATIK_PALETTE_NAMES = {
    "sogan": "Sogan",
    "indigo": "Biru Indigo",
    "merah": "Merah Lasem",
    "hijau": "Hijau Lumut",
    "krem": "Krem Biru",
}
BATIK_GARMENTS = {
    "batik-tulis": [
        ("Kain Panjang", "210 × 105 cm"),
        ("Selendang", "200 × 50 cm"),
        ("Kemeja Pria Lengan Panjang", "ukuran M–XL"),
        ("Sarung", "200 × 110 cm"),
    ],
    "batik-cap": [
        ("Kain", "200 × 110 cm"),
        ("Kemeja Pria", "ukuran M–XXL"),
        ("Blus Wanita", "ukuran S–L"),
        ("Taplak Meja", "150 × 150 cm"),
        ("Masker Kain", "3 lapis"),
    ],
}
TENUN_PALETTE_NAMES = {
    "merah": "Merah Bata",
    "indigo": "Biru Tua",
    "cokelat": "Cokelat Tanah",
    "hitam": "Hitam",
}
TENUN_ITEMS = [
    ("Kain Tenun Ikat", "180 × 60 cm"),
    ("Selendang Tenun", "200 × 45 cm"),
    ("Sarung Tenun", "190 × 110 cm"),
    ("Syal Tenun", "160 × 30 cm"),
    ("Taplak Tenun", "120 × 40 cm"),
]
TENUN_ORIGINS = ["Sumba", "Sikka", "Lombok", "Toraja", "Batak", "Palembang", "Sambas", "Buton"]

OBJECT_ITEMS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "anyaman-rotan": {
        "bag": [("Tas Jinjing Rotan", "30 × 12 × 25 cm"), ("Tas Bahu Anyaman", "28 × 10 × 22 cm")],
        "tray": [("Nampan Rotan Oval", "45 × 30 cm"), ("Tatakan Piring Rotan (set 4)", "Ø 35 cm")],
        "basket": [
            ("Keranjang Rotan Serbaguna", "Ø 32 × 30 cm"),
            ("Keranjang Cucian", "Ø 40 × 50 cm"),
        ],
    },
    "kerajinan-kayu": {
        "board": [("Talenan Kayu Jati", "40 × 25 × 2 cm"), ("Papan Saji Mahoni", "50 × 20 × 2 cm")],
        "bowl": [("Mangkuk Kayu Jati", "Ø 24 × 10 cm"), ("Cobek Kayu", "Ø 20 × 6 cm")],
        "box": [
            ("Kotak Perhiasan Ukir", "20 × 14 × 10 cm"),
            ("Kotak Tisu Jati", "26 × 14 × 10 cm"),
        ],
    },
    "kulit": {
        "wallet": [
            ("Dompet Kulit Pria", "11 × 9 cm"),
            ("Dompet Panjang Wanita", "19 × 10 cm"),
            ("Tempat Kartu Kulit", "10 × 7 cm"),
        ],
        "bag": [("Tas Selempang Kulit", "25 × 8 × 20 cm"), ("Tas Tangan Kulit", "30 × 12 × 24 cm")],
    },
    "keramik": {
        "vase": [("Vas Bunga Gerabah", "Ø 14 × 32 cm"), ("Vas Leher Panjang", "Ø 12 × 35 cm")],
        "jar": [("Guci Kecil Berglasir", "Ø 20 × 24 cm"), ("Toples Keramik", "Ø 16 × 18 cm")],
        "bowl": [("Mangkuk Keramik", "Ø 18 × 8 cm"), ("Mangkuk Saji Besar", "Ø 26 × 10 cm")],
    },
}
OBJECT_DETAILS = {
    "anyaman-rotan": ("Anyaman tangan", "rotan alam, bambu, pernis air"),
    "kerajinan-kayu": ("Ukir dan bubut tangan", "kayu jati, minyak kayu food grade"),
    "kulit": ("Jahit tangan saddle stitch", "kulit sapi samak nabati, benang lilin"),
    "keramik": ("Putar tangan, glasir, bakar 1.200 °C", "tanah liat, glasir bebas timbal"),
}
LUKISAN_TITLES = [
    "Sawah di Kaki Gunung",
    "Pagi di Kampung",
    "Senja di Pematang",
    "Gunung dan Nyiur",
    "Pulang Panen",
    "Langit Kemarau",
    "Lembah Hijau",
    "Rindu Kampung Halaman",
]
LUKISAN_MEDIA = [
    ("Cat minyak di atas kanvas", "cat minyak, kanvas, bingkai kayu"),
    ("Akrilik di atas kanvas", "cat akrilik, kanvas, bingkai kayu"),
]
LUKISAN_SIZES = ["40 × 50 cm", "50 × 60 cm", "60 × 80 cm", "70 × 90 cm"]

MAKER_NAMES = [
    "Sri",
    "Wati",
    "Budi",
    "Agus",
    "Yanti",
    "Rini",
    "Darto",
    "Slamet",
    "Made",
    "Ketut",
    "Nyoman",
    "Ujang",
    "Asep",
    "Dewi",
    "Siti",
    "Rahmat",
    "Yosef",
    "Maria",
    "Andi",
    "Beni",
    "Lina",
    "Tono",
    "Hendra",
    "Joko",
    "Fitri",
    "Nur",
    "Mbak Ratih",
    "Pak Min",
    "Kang Dedi",
    "Bu Endang",
    "Si Kancil",
    "Mawar",
    "Elang",
    "Rajawali",
]

DESCRIPTION_CARE = [
    "Cuci dengan tangan memakai sabun lerak atau sampo bayi, jangan diperas dan jemur di tempat teduh.",
    "Simpan di tempat kering dan hindari sinar matahari langsung agar warnanya awet.",
    "Bersihkan dengan kain lembap; jangan direndam.",
    "Setiap karya buatan tangan sedikit berbeda dari foto; itulah keunikannya.",
]

# Words that tell apart objects of the same kind (appended to their names).
OBJECT_VARIANTS = {
    "anyaman-rotan": ["Natural", "Cokelat Madu", "Anyaman Kepang", "Anyaman Mata Itik", "Klasik"],
    "kerajinan-kayu": ["Natural", "Ukir Jepara", "Finishing Minyak", "Motif Daun", "Minimalis"],
    "kulit": ["Klasik", "Vintage", "Jahit Tangan", "Minimalis", "Premium"],
    "keramik": ["Glasir Klasik", "Motif Garis", "Gaya Lombok", "Gaya Plered", "Minimalis"],
}
