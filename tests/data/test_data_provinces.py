"""Province registry: NBS 31 provinces, region splits and every spelling in the raw files.

References: NBS administrative codes (GB/T 2260); NBS three-region split East 11 /
Central 8 / West 12 and four-region split (2011) East 10 / Central 6 / West 12 /
Northeast 3; spellings as they occur in data/raw (RDLaborHour.rda, asset.rda).
"""

from __future__ import annotations

import pandas as pd
import pytest

from tfp_talent.data import provinces
from tfp_talent.errors import InputError


def test_31_provinces_with_unique_codes_and_names():
    reg = provinces.registry_frame()
    assert len(reg) == 31
    assert reg["province_code"].is_unique and reg["name_short"].is_unique and reg["pinyin"].is_unique
    assert reg["province_code"].between(110000, 659999).all()


def test_three_and_four_region_counts():
    reg = provinces.registry_frame()
    assert reg["region3"].value_counts().to_dict() == {"East": 11, "Central": 8, "West": 12}
    assert reg["region4"].value_counts().to_dict() == {"East": 10, "Central": 6, "West": 12, "Northeast": 3}


def test_shaanxi_is_not_shanxi():
    assert provinces.resolve(["shaanxi", "shanxi", "陕西省", "山西省"]) == [610000, 140000, 610000, 140000]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("北   京", 110000),
        ("黑龙 江", 230000),
        ("内蒙 古", 150000),
        ("内蒙占", 150000),
        ("内蒙古自治区", 150000),
        ("neimenggu", 150000),
        ("Inner Mongolia", 150000),
        ("540000", 540000),
    ],
)
def test_spellings_in_the_raw_files_resolve(name, code):
    assert provinces.resolve([name]) == [code]


def test_national_rows_are_dropped_deliberately_and_logged():
    frame = pd.DataFrame({"province": ["全国", "全   国", "北京", "天津"], "v": [1, 2, 3, 4]})
    log: list[str] = []
    out = provinces.resolve_frame(frame, "province", source="x.rda", log=log)
    assert out["province_code"].tolist() == [110000, 120000]
    assert log == ["x.rda: dropped 2 national-total rows (province = 全国)"]


def test_unknown_names_are_all_listed():
    with pytest.raises(InputError) as err:
        provinces.resolve(["北京", "北平", "Atlantis", "天津"], source="bad.csv")
    msg = str(err.value)
    assert msg.startswith("bad.csv:") and "'北平'" in msg and "'Atlantis'" in msg and "KNOWN_VARIANTS" in msg
