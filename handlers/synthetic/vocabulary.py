"""Word lists for synthetic residents: names with their readings, towns, nationalities and statuses.

Names start from Faker's ``ja_JP`` pairs (kanji, katakana reading, romaji; only 50 surnames and 51 given
names), widened with common names below so that a register of a million people has realistic variety for
kana search.  Towns are real town names of the demo municipalities; postcodes are plausible, not checked
against the postal database.  Everything here is synthetic: no real person is described.
"""

from __future__ import annotations

from dataclasses import dataclass

from faker import Faker

# (kanji, katakana) pairs added to Faker's lists; weight = relative frequency.
EXTRA_SURNAMES: tuple[tuple[str, str, int], ...] = tuple(
    (kanji, kana, 40000 - 300 * i)
    for i, (kanji, kana) in enumerate(
        (
            ("原田", "ハラダ"),
            ("小野", "オノ"),
            ("竹内", "タケウチ"),
            ("金子", "カネコ"),
            ("和田", "ワダ"),
            ("中野", "ナカノ"),
            ("原", "ハラ"),
            ("田村", "タムラ"),
            ("安藤", "アンドウ"),
            ("河野", "コウノ"),
            ("上田", "ウエダ"),
            ("大野", "オオノ"),
            ("高木", "タカギ"),
            ("工藤", "クドウ"),
            ("内田", "ウチダ"),
            ("丸山", "マルヤマ"),
            ("今井", "イマイ"),
            ("酒井", "サカイ"),
            ("宮崎", "ミヤザキ"),
            ("横山", "ヨコヤマ"),
            ("高田", "タカダ"),
            ("石田", "イシダ"),
            ("柴田", "シバタ"),
            ("杉山", "スギヤマ"),
            ("大塚", "オオツカ"),
            ("小山", "コヤマ"),
            ("平野", "ヒラノ"),
            ("増田", "マスダ"),
            ("千葉", "チバ"),
            ("久保", "クボ"),
            ("松井", "マツイ"),
            ("岩崎", "イワサキ"),
            ("野口", "ノグチ"),
            ("木下", "キノシタ"),
            ("菊地", "キクチ"),
            ("佐野", "サノ"),
            ("野村", "ノムラ"),
            ("松尾", "マツオ"),
            ("菅原", "スガワラ"),
            ("新井", "アライ"),
            ("渡部", "ワタナベ"),
            ("武田", "タケダ"),
            ("上野", "ウエノ"),
            ("桜井", "サクライ"),
            ("市川", "イチカワ"),
            ("大西", "オオニシ"),
            ("須藤", "スドウ"),
            ("小島", "コジマ"),
            ("秋山", "アキヤマ"),
            ("星野", "ホシノ"),
            ("森田", "モリタ"),
            ("荒木", "アラキ"),
            ("大橋", "オオハシ"),
            ("浅野", "アサノ"),
            ("関", "セキ"),
            ("飯田", "イイダ"),
            ("望月", "モチヅキ"),
            ("土屋", "ツチヤ"),
            ("服部", "ハットリ"),
            ("北村", "キタムラ"),
            ("永井", "ナガイ"),
            ("松岡", "マツオカ"),
            ("宮本", "ミヤモト"),
            ("川口", "カワグチ"),
            ("辻", "ツジ"),
            ("本田", "ホンダ"),
            ("堀", "ホリ"),
            ("吉川", "ヨシカワ"),
            ("中山", "ナカヤマ"),
            ("小松", "コマツ"),
            ("岩田", "イワタ"),
            ("島田", "シマダ"),
            ("五十嵐", "イガラシ"),
            ("西田", "ニシダ"),
            ("菅野", "カンノ"),
            ("古川", "フルカワ"),
            ("片山", "カタヤマ"),
            ("水野", "ミズノ"),
            ("東", "アズマ"),
            ("大久保", "オオクボ"),
            ("髙橋", "タカハシ"),
            ("山﨑", "ヤマザキ"),
            ("齋藤", "サイトウ"),
            ("渡邊", "ワタナベ"),
            ("濱田", "ハマダ"),
            ("澤田", "サワダ"),
            ("廣瀬", "ヒロセ"),
            ("德永", "トクナガ"),
            ("櫻井", "サクライ"),
            ("邉見", "ヘンミ"),
        )
    )
)

EXTRA_MALE: tuple[tuple[str, str], ...] = (
    ("大輔", "ダイスケ"),
    ("誠", "マコト"),
    ("健太", "ケンタ"),
    ("拓也", "タクヤ"),
    ("達也", "タツヤ"),
    ("大樹", "ダイキ"),
    ("悠真", "ユウマ"),
    ("蓮", "レン"),
    ("陽翔", "ハルト"),
    ("湊", "ミナト"),
    ("大和", "ヤマト"),
    ("悠人", "ユウト"),
    ("颯太", "ソウタ"),
    ("隆", "タカシ"),
    ("茂", "シゲル"),
    ("清", "キヨシ"),
    ("勇", "イサム"),
    ("博", "ヒロシ"),
    ("正雄", "マサオ"),
    ("一郎", "イチロウ"),
    ("健二", "ケンジ"),
    ("剛", "ツヨシ"),
    ("哲也", "テツヤ"),
    ("光太郎", "コウタロウ"),
    ("俊介", "シュンスケ"),
    ("優斗", "ユウト"),
    ("陸", "リク"),
    ("樹", "イツキ"),
    ("蒼", "アオイ"),
    ("朝陽", "アサヒ"),
    ("義男", "ヨシオ"),
    ("吉男", "ヨシオ"),
    ("慎吾", "シンゴ"),
    ("将太", "ショウタ"),
    ("雄一", "ユウイチ"),
)

EXTRA_FEMALE: tuple[tuple[str, str], ...] = (
    ("恵子", "ケイコ"),
    ("幸子", "サチコ"),
    ("洋子", "ヨウコ"),
    ("和子", "カズコ"),
    ("節子", "セツコ"),
    ("美穂", "ミホ"),
    ("由美", "ユミ"),
    ("智子", "トモコ"),
    ("真由美", "マユミ"),
    ("愛", "アイ"),
    ("彩", "アヤ"),
    ("さくら", "サクラ"),
    ("美咲", "ミサキ"),
    ("陽菜", "ヒナ"),
    ("結菜", "ユイナ"),
    ("葵", "アオイ"),
    ("芽依", "メイ"),
    ("凛", "リン"),
    ("紬", "ツムギ"),
    ("澪", "ミオ"),
    ("久美子", "クミコ"),
    ("京子", "キョウコ"),
    ("文子", "フミコ"),
    ("静香", "シズカ"),
    ("千尋", "チヒロ"),
    ("麻衣", "マイ"),
    ("遥", "ハルカ"),
    ("菜々子", "ナナコ"),
    ("優子", "ユウコ"),
    ("ひとみ", "ヒトミ"),
)


@dataclass(frozen=True)
class Town:
    name: str  # 町名 (without 丁目)
    postal_code: str  # 7 digits
    chome: int  # how many 丁目 it has (0: none, 番地 only)


# Real towns of the demo municipalities, by 全国地方公共団体コード of the ward or city.
TOWNS: dict[str, tuple[Town, ...]] = {
    "141011": (  # 横浜市鶴見区
        Town("鶴見中央", "2300051", 5),
        Town("生麦", "2300052", 5),
        Town("豊岡町", "2300062", 0),
        Town("下末吉", "2300012", 6),
        Town("潮田町", "2300041", 4),
        Town("東寺尾", "2300077", 6),
    ),
    "141020": (  # 横浜市神奈川区
        Town("東神奈川", "2210044", 2),
        Town("反町", "2210825", 4),
        Town("六角橋", "2210802", 6),
        Town("白楽", "2210065", 0),
        Town("菅田町", "2210864", 0),
        Town("神大寺", "2210801", 4),
    ),
    "141038": (  # 横浜市西区
        Town("高島", "2200011", 2),
        Town("南幸", "2200005", 2),
        Town("北幸", "2200004", 2),
        Town("戸部町", "2200042", 7),
        Town("藤棚町", "2200053", 2),
        Town("浅間町", "2200072", 5),
    ),
    "141046": (  # 横浜市中区
        Town("山下町", "2310023", 0),
        Town("本町", "2310005", 6),
        Town("元町", "2310861", 5),
        Town("山手町", "2310862", 0),
        Town("本牧町", "2310821", 2),
        Town("長者町", "2310033", 9),
    ),
    "202177": (  # 佐久市
        Town("中込", "3850051", 0),
        Town("岩村田", "3850022", 0),
        Town("野沢", "3850053", 0),
        Town("臼田", "3840301", 0),
        Town("猿久保", "3850011", 0),
        Town("長土呂", "3850021", 0),
    ),
}

BUILDING_NAMES = ("コーポ", "ハイツ", "メゾン", "パレス", "グリーンヒル", "サンライズ", "レジデンス")

# Nationalities of foreign residents: (国籍・地域, weight, surname triples, given-name triples).
# A triple is (kanji or "", katakana reading, alphabet).
FOREIGN_NAMES: dict[str, tuple[int, tuple[tuple[str, str, str], ...], tuple[tuple[str, str, str], ...]]] = {
    "中国": (
        30,
        (("王", "ワン", "WANG"), ("李", "リ", "LI"), ("張", "チャン", "ZHANG"), ("劉", "リュウ", "LIU")),
        (("偉", "ウェイ", "WEI"), ("芳", "ファン", "FANG"), ("静", "ジン", "JING"), ("磊", "レイ", "LEI")),
    ),
    "韓国": (
        20,
        (("金", "キム", "KIM"), ("朴", "パク", "PARK"), ("崔", "チェ", "CHOI"), ("鄭", "チョン", "JEONG")),
        (("民俊", "ミンジュン", "MINJUN"), ("秀妍", "スヨン", "SUYEON"), ("智恩", "ジウン", "JIEUN")),
    ),
    "ベトナム": (
        18,
        (("", "グエン", "NGUYEN"), ("", "チャン", "TRAN"), ("", "レ", "LE"), ("", "ファム", "PHAM")),
        (("", "ヴァン アン", "VAN AN"), ("", "ティ ハー", "THI HA"), ("", "ミン ドゥック", "MINH DUC")),
    ),
    "フィリピン": (
        10,
        (("", "サントス", "SANTOS"), ("", "レイエス", "REYES"), ("", "クルーズ", "CRUZ")),
        (("", "マリア", "MARIA"), ("", "ホセ", "JOSE"), ("", "アンジェリカ", "ANGELICA")),
    ),
    "ブラジル": (
        8,
        (("", "シルバ", "SILVA"), ("", "サントス", "SANTOS"), ("", "オリヴェイラ", "OLIVEIRA")),
        (("", "ルーカス", "LUCAS"), ("", "アナ", "ANA"), ("", "ガブリエル", "GABRIEL")),
    ),
    "ネパール": (
        8,
        (("", "シュレスタ", "SHRESTHA"), ("", "グルン", "GURUNG"), ("", "タパ", "THAPA")),
        (("", "ラム", "RAM"), ("", "スニタ", "SUNITA"), ("", "ビカシュ", "BIKASH")),
    ),
    "アメリカ合衆国": (
        6,
        (("", "スミス", "SMITH"), ("", "ジョンソン", "JOHNSON"), ("", "ブラウン", "BROWN")),
        (("", "ジョン", "JOHN"), ("", "エミリー", "EMILY"), ("", "マイケル", "MICHAEL")),
    ),
}

# 在留資格 of 中長期在留者 with their 在留期間 choices.
RESIDENCE_STATUSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("技術・人文知識・国際業務", ("5年", "3年", "1年")),
    ("留学", ("4年3月", "2年", "1年3月")),
    ("技能実習２号ロ", ("1年",)),
    ("特定技能１号", ("1年", "6月")),
    ("日本人の配偶者等", ("3年", "1年")),
    ("定住者", ("5年", "3年")),
)
FAMILY_STATUS = ("家族滞在", ("5年", "3年", "1年"))


def faker_name_pairs() -> tuple[
    list[tuple[str, str]], list[int], list[tuple[str, str]], list[tuple[str, str]]
]:
    """Surnames (with weights), male and female given names: Faker ja_JP's pairs plus the lists above."""
    person = Faker("ja_JP").provider("faker.providers.person")
    surnames = [(kanji, kana) for kanji, kana, _romaji in person.last_name_pairs]
    weights = [int(w) for w in person.last_name_pairs.values()]
    surnames += [(kanji, kana) for kanji, kana, _w in EXTRA_SURNAMES]
    weights += [w for _k, _r, w in EXTRA_SURNAMES]
    male = [(kanji, kana) for kanji, kana, _romaji in person.first_name_male_pairs] + list(EXTRA_MALE)
    female = [(kanji, kana) for kanji, kana, _romaji in person.first_name_female_pairs] + list(EXTRA_FEMALE)
    return surnames, weights, male, female
