"""The 38 provinces of Indonesia, grouped by island region, and shipping zones."""

from __future__ import annotations

REGIONS: dict[str, tuple[str, ...]] = {
    "sumatera": (
        "Aceh",
        "Sumatera Utara",
        "Sumatera Barat",
        "Riau",
        "Kepulauan Riau",
        "Jambi",
        "Sumatera Selatan",
        "Kepulauan Bangka Belitung",
        "Bengkulu",
        "Lampung",
    ),
    "jawa": (
        "DKI Jakarta",
        "Jawa Barat",
        "Banten",
        "Jawa Tengah",
        "DI Yogyakarta",
        "Jawa Timur",
    ),
    "bali_nusa": ("Bali", "Nusa Tenggara Barat", "Nusa Tenggara Timur"),
    "kalimantan": (
        "Kalimantan Barat",
        "Kalimantan Tengah",
        "Kalimantan Selatan",
        "Kalimantan Timur",
        "Kalimantan Utara",
    ),
    "sulawesi": (
        "Sulawesi Utara",
        "Gorontalo",
        "Sulawesi Tengah",
        "Sulawesi Barat",
        "Sulawesi Selatan",
        "Sulawesi Tenggara",
    ),
    "maluku": ("Maluku", "Maluku Utara"),
    "papua": (
        "Papua",
        "Papua Barat",
        "Papua Barat Daya",
        "Papua Tengah",
        "Papua Pegunungan",
        "Papua Selatan",
    ),
}
REMOTE_REGIONS = frozenset({"maluku", "papua"})
REGION_OF = {province: region for region, provinces in REGIONS.items() for province in provinces}
PROVINCES: tuple[str, ...] = tuple(sorted(REGION_OF))

ZONE_SAME_PROVINCE = 1
ZONE_SAME_REGION = 2
ZONE_OTHER_REGION = 3
ZONE_REMOTE = 4
ZONES = (ZONE_SAME_PROVINCE, ZONE_SAME_REGION, ZONE_OTHER_REGION, ZONE_REMOTE)


def zone_between(origin: str, destination: str) -> int:
    """Zone of a shipment from the facility's province to the buyer's province."""
    if origin == destination:
        return ZONE_SAME_PROVINCE
    origin_region = REGION_OF.get(origin)
    destination_region = REGION_OF.get(destination)
    if origin_region is not None and origin_region == destination_region:
        return ZONE_SAME_REGION
    if destination_region in REMOTE_REGIONS or origin_region in REMOTE_REGIONS:
        return ZONE_REMOTE
    return ZONE_OTHER_REGION
