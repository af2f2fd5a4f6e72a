"""A register of people written as Malian movements' lists write them, with the true duplicates.

    people, truth = register(100_000)                  # tuning register (TUNING_SEED)
    people, truth = register(100_000, HELD_OUT_SEED)   # drawn the same way, for reporting apart

Each person has a true identity (given name, perhaps a second one, father, grandfather, family
name or "Ag Father", birth date, place of birth, region, movement). Each of their records is that
identity as a clerk wrote it. `truth` holds the pairs of records of the same person (smaller id
first); records are numbered 0..size-1 in a shuffled order.

People (identities):
- Names are drawn with Zipf weights (Mohamed 13 % of men, Moussa 7 %; Traoré 10 % of family
  names, Maïga 7 %), so common names repeat as they do on real lists. 12 % are women.
- 40 % are Tamasheq or Arab: "Given Ag Father" ("Walet" or "Oult" for a woman, "Ould" for 25 %
  of men), and the grandfather too ("… Ag Grandfather") on 40 % of those lists; 60 % are
  "Given [Father's given] Family", the father's given name written on 40 % of lists.
  15 % carry a second given name ("Mohamed Lamine", "Moussa Bakary").
- Born 1960-2002, most about 1990 (triangular). Born in one of 102 places, in the north mostly
  (regions of Gao 25 %, Kidal 20 %, Tombouctou 20 %, Mopti 12 %, Ménaka 10 %), a region's main
  town a quarter of its people (Zipf); registered in that region 75 % of the time.
- Families, the main false-match risk: 8 % of draws are 2 to 4 brothers and sisters (about
  18 % of people), sharing father, grandfather, family name and place (90 %; else a place
  nearby), each born 1 to 4 years from the last, with distinct given names (never two spellings of one
  name); 15 % of those families are a father and his son instead ("Inamoud Ag Almahdi" and
  "Almahdi Ag Inamoud"). 1.5 % of draws are namesakes of someone drawn before: the same given
  and family (or father's) name, the same place, born within a year, but another person.
  Zipf names add the rest: two "Moussa Traoré" born in Gao the same year are different people.

Records (what a clerk writes; rates per copy, except where said):
- 10 % of people appear twice, 2 % three times (about 13 % of records are extra copies).
- Spelling: every name and place has several transliterations (Mohamed, Mohammed, Muhammad,
  Mouhamed, Mahamat, Mohamad, Mouhammad, Mahamed; Tombouctou, Timbuktu, Tomboctou...), more
  than `ddr.registration.names.VARIANTS` knows, and some written in one word or two (Abdoulaziz,
  Abdoul Aziz, Abdelaziz; Elmehdi, El Mahdi; Tin-Essako, Tin Essako). A clerk writes the usual
  spelling 60 % of the time. A copy is written by another clerk (every word spelt anew) 50 % of
  the time, by the same clerk with the same spellings otherwise.
- Typos on a copy, 20 %: one name word changed (a letter substituted, often by one that sounds
  alike, dropped, added, or two letters transposed), in the first letter 15 % of the time; a
  second word too 25 % of the time.
- A word missing or added on a copy, 15 %: the grandfather after "Ag", the father's given name,
  or the second given name, written on one list and not on the other.
- Given and family names swapped on a copy, 8 %.
- Birth, on every record: an exact date 55 % (of which 12 % the convention 01/01 or 31/12 of
  the year), an age instead of a date 30 % (birth_year = 2019 - the age estimated, 0 to 4 years
  off: 0 40 %, 1 30 %, 2 15 %, 3 10 %, 4 5 %, date None), the year only 10 %, nothing 5 %.
  A copy takes its birth from the same papers as the first record 60 % of the time (then day
  and month swapped 8 % when both are 12 or less, one digit of the date mistyped 6 %, the year
  off by one 5 %), or is written anew as above; missing entirely 5 %.
- Place of birth on a copy: misspelt 8 %, missing 6 %, a nearby place (same region) 6 %.
- Movement and region on a copy: another movement's list 40 %, and another region 30 % of those.
- Identifiers: a document on 50 % of people, kept by a copy 40 % of the time; a weapon serial on
  35 %, kept 30 %; a biometric reference on 20 %, kept 50 % (never two people's).

1,000,000 records take about 16 s and 0.8 GB (most of it the records themselves).
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import sys
from dataclasses import dataclass, replace

from ddr.duplicates.rules import Person

TUNING_SEED = 11
HELD_OUT_SEED = 12
LIST_YEAR = 2019  # ages on the lists were given in this year

# One line per name: its usual spelling first, then other clerks' transliterations (some in two
# words). No two lines are the same name: brothers get different lines.
GIVEN_M = """
Mohamed Mohammed Muhammad Mouhamed Mahamat Mohamad Mouhammad Mahamed
Moussa Mussa Mousa Moussah Mossa
Ibrahim Ibrahima Brahim Ibrahime Brahima
Amadou Ahmadou Hamadou Amadu
Mahamadou Mamadou Mahmoud Mahamoudou Mahmud
Abdoulaye Abdoulahi Abdallah Abdoullahi Abdoulay
Oumar Omar Umar Oumarou Omer
Boubacar Aboubacar Boubakar Aboubakar Bubacar
Aliou Ali Aly Alyou Alioune
Alhousseini Alhousseyni Elhousseini Al_Housseini Alhoussaini
Ousmane Usman Osmane Ousman Othmane
Hamadoun Hammadoun Hamadoune
Souleymane Souleimane Suleyman Soulemane Soulaymane
Youssouf Yusuf Youssef Yousouf Youcef
Issa Issah Isa
Adama Adam Addama
Bakary Bakari Bakaye Bacary
Seydou Seidou Seydu Saydou
Sidi Sidy Seydi
Ahmed Ahmad Hamed Ahmet
Attaher Ataher Attahir Ettaher
Intallah Intalla Entallah Intala
Alghabass Alghabas Algabass Alghabasse
Almahdi Elmehdi Almahadi El_Mahdi Elmahdi Al_Mahdi
Cheick Cheikh Cheik Sheikh Cheickh
Bilal Bilale Bilel
Hama Hamma Ama
Hamid Hamidou Hamide
Modibo Modibou
Fousseyni Fousseini Fousseni Fouseyni
Baba Babah Babba
Sékou Sekou Sékouba Seku
Djibril Jibril Djibrilla Gibril
Lassana Lassina Lasana Lansana
Mamoutou Mamoutu Mahamoutou
Yacouba Yacoub Yakouba Yaqoub
Salif Salifou Saliff
Daouda Daoud Dawud Daouta
Drissa Idrissa Driss Idriss
Harouna Haroun Arouna Harun
Kalifa Khalifa Califa Kalifah
Mahamane Mahaman Mohamane Mahamana
Nouhoum Nouhou Nouh Nuhum
Zoumana Zumana
Assalat Asalat Assalatt
Bachir Bachirou Bashir Béchir
Fagaga Fagagah
Ghabdi Rhabdi Gabdi Ghabdy
Hanoune Hanoun Hannoune
Inamoud Inamood Ennamoud Inamoude
Rhissa Ghissa Rissa Khissa
Sadou Saadou Sadu
Tiégoum Tiegoum Tiegum
Wadidié Wadidie Ouadidié
Zeidane Zeydane Zaidane Zidane
Alassane Alhassane Al_Hassane Alassan
Abdoulaziz Abdoul_Aziz Abdelaziz Abdel_Aziz Abdoulazize
Abderrahmane Abdourahamane Abdoul_Rahmane Abdrahamane Abdourahmane
Abdoulkarim Abdoul_Karim Abdelkrim Abdel_Karim
Mohamed_Lamine Mohamedlamine Mahamadlamine Mohamed_Lamin
Sidi_Ahmed Sidiahmed Sidahmed Sid_Ahmed
Aboubacrine Abou_Bacrine Aboubakrine Abubacrine
Elmoctar El_Moctar Almoctar Elmokhtar
Moctar Mokhtar Mocktar Moktar
Moustapha Mustapha Moustafa Mustafa
Hassane Hassan Hacen Assane
Alkassoum Alkassim Elkassim Al_Kassoum
Aghaly Agaly Agali Aghali
Iyad Iyyad Ayad
Tidiani Tidjani Tijani Tidjane
Gaoussou Gaossou Gausu
Siaka Siyaka Syaka
Dramane Drahmane Daramane
Bourama Bouraima Bourema
Tiémoko Tiemoko Tiemogo
Ag_Bazet Agbazet Ag_Bazette
Ilyas Iliasse Elias
Najim Nadjim Nadjime
Oussoumane Oussouman
Almoustapha Almoustafa Elmoustapha Al_Moustapha
Mossadeck Mossadek Moussadeck
Sidati Sidaty Sidatti
Mohamed_Ali Mohamedali Mahamadali
Ibrahim_Ahmed Ibrahimahmed
"""
GIVEN_F = """
Fatoumata Fatimata Fadimata Fatouma Fatoumatou Fatma Fatimatou
Aïssata Aichata Aïcha Aissatou Aïchatou
Mariam Mariama Maryam Meriem Mariame
Aminata Amina Aminatou Aminetou
Kadidia Khadija Kadiatou Kadija Khadidja
Hawa Haoua Awa
Zeinabou Zeinab Zénabou Zeïnaba Zaynab
Tata Tatta
Assitan Assétou Assita Asitan
Oumou Oumu Ummu
Rokia Rokiatou Roukiatou Rokiya
Safiatou Safia Safietou Safiyatou
Nana Nanna
Djénéba Djeneba Jeneba Dieneba
Salamata Salamatou Salimata Salmata
Lalla Lala Lalia
Takiyata Takiata Takia
Raichatou Rahichatou Raïchatou Rahicha
Mina Minah
Agaichatou Aghaichatou Agaïchata
Fanta Fantah
Bintou Binta Bintu
Coumba Koumba Kumba
Tina Tinna
Habsatou Hafsatou Hafsa Habsa
Mintou Mintu
"""
FAMILY = """
Traoré Traore Trawre Traoure
Maïga Maiga Mahiga Maïgua
Touré Toure Turé Tourré
Coulibaly Koulibaly Kulibali Coulibali
Cissé Cisse Sissé Cissè
Diallo Dialo Jallo Diallou
Keïta Keita Kéïta Kéita
Dicko Diko Dikko Dico
Haïdara Haidara Aïdara Haydara
Sidibé Sidibe Sidibè
Sangaré Sangare Sangharé
Diarra Diara Jara Djarra
Tamboura Tambura Tambourra
Guindo Guindou Ghindo
Kanouté Kanoute Kanuté
Bah Ba Bâ
Barry Bari Barri
Sow Sowe
Konaté Konate Konatè
Dembélé Dembele Dembélè
Koné Kone Konè
Timbiné Timbine Timbinè
Yattara Yatara Yatarra
Dramé Drame Dramè
Sissoko Sisoko
Cissoko Cisoko
Ascofaré Askofaré Ascofare Askofare
Boncana Boncane Bonkana
Kounta Kunta Kountah
Tandina Tandjina
Arby Arbi Arbey
Sanogo Sanogho Sanoko
Doumbia Dumbia Doumbya
Samaké Samake Samakè
Ballo Balo
Tangara Tangarra
Goïta Goita Goïtha
Dao Daou
Diakité Diakite Jakité
Fofana Fofanah
Sylla Silla Sila
Kané Kane
Ouologuem Wologuem Ouloguem
Diawara Jawara Diawarra
Niang Niange
Mariko Marico
Bagayoko Bagayogo
Berthé Berthe Bérthé
Tall Tal
"""
# Places by region, the region's main towns first; a "nearby" place is another of the region.
PLACES = {
    "KID": """
Kidal Kidale
Aguelhok Aguelhoc Aguel'hoc Aguelhock
Tessalit Tesalit Tessalite
Anefis Anéfis Anefif
Tin-Essako Tin_Essako Tinessako Tin-Essakou
Abeïbara Abeibara Abeybara
Intadeyni Intadeini
Essouk Essuk
Tinzaouaten Tin-Zaouatène Tin_Zaouaten
Timiaouine Timiawine
Boghassa Bourassa
Tadjmart Tadjmert
Takalott Takalot
""",
    "GAO": """
Gao Gaho
Ansongo Asongo Ansongho
Bourem Burem Bouremm
Tarkint Tarkinte
Almoustarat Al_Moustarat Almoustrat
Tabankort Tabankor Tabancort
Ouatagouna Wattagouna Ouattagouna
Labbezanga Labezanga
Tassiga Tasiga
Intahaka Intahaca
Inadiatafane Inadiatafan
Fafa Faffa
Gounzoureye Gounzourey
Tessit Tesit
Bara Barra
N'Tillit Ntillit N_Tillit
Temera Tamera
Bamba Bambá
Djebock Djebok Jebock
Forgho Forgo
Haoussa-Foulane Haoussa_Foulane
""",
    "TBK": """
Tombouctou Timbuktu Tomboctou Tombuctu
Goundam Gundam Goundame
Diré Dire
Niafunké Niafunke Niafounké
Gourma-Rharous Gourma_Rharous Rharous Gourma-Rarous
Ber Berr
Léré Lere
Tonka Tonca
Gossi Gosi
Hamzakoma Hamzakouma
Likrakar Likrakare
Ilouk Illouk
Salam Salame
Bintagoungou Bintagungu
Essakane Essakana
Tinaïcha Tinaicha
Raz-El-Ma Ras_El_Ma Razelma
Gargando Gargandou
Ouinerden Winerden
""",
    "MEN": """
Ménaka Menaka Ménaca
Andéraboukane Anderamboukane Andéramboukane
Inékar Inekar Innekar
Tidermène Tidermene Tidarmene
Talataye Talatayt Talatai
Tinabaw Tinabao
Ikadewane Ikadéwane
Alata Allata
Inchinanane Intchinanane
""",
    "MOP": """
Mopti Moptí
Douentza Douenza Douentsa
Ténenkou Tenenkou Ténenkoun
Youwarou Youvarou Yuwaru
Djenné Djenne Jenné
Bandiagara Bandiagarra
Bankass Bankas
Koro Korou
Boni Bonni
Hombori Hombory
Konna Kona
Sévaré Sevare
Dialloubé Dialoubé
Mondoro Mondoró
Boulkessi Boulkessy
Sofara Soffara
""",
    "SEG": """
Ségou Segou Ségu
Niono Nionon
Macina Massina
Markala Markalla
San Sann
Tominian Tominiam
Dioura Diora
Sokolo Sokollo
Diabaly Diabali
Ké-Macina Ke_Macina
""",
    "BKO": """
Bamako Bamacko
Kati Katy
Koulikoro Kulikoro
Sikasso Sikaso
Koutiala Kutiala
Kayes Kaye
Nioro Nioro_du_Sahel
Nara Narra
Diéma Diema
Kangaba Kangabà
Fana Fanna
Banamba Banambá
Bougouni Bougouny
Kolokani Kolokany
""",
}
REGION_WEIGHTS = {"KID": 20, "GAO": 25, "TBK": 20, "MEN": 10, "MOP": 12, "SEG": 5, "BKO": 8}
MOVEMENTS = ("MNLA", "HCUA", "MAA", "GATIA", "CMFPR", "CPA", "MSA", "FPA")
MOVEMENT_WEIGHTS = (20, 20, 12, 15, 12, 8, 8, 5)
PARTICLE = {"M": (("Ag",) * 3 + ("Ould",)), "F": (("Walet",) * 5 + ("Oult", "Welet"))}

# Rates (see the docstring).
WOMEN = 0.12
TAMASHEQ = 0.40
WITH_GRANDFATHER, WITH_FATHER, SECOND_GIVEN = 0.40, 0.40, 0.15
FAMILY_DRAW, NAMESAKE_DRAW, FATHER_AND_SON = 0.08, 0.015, 0.15
TWICE, THRICE = 0.10, 0.02
USUAL_SPELLING, OTHER_CLERK = 0.60, 0.50
TYPO, SECOND_TYPO, FIRST_LETTER = 0.20, 0.25, 0.15
WORD_MISSING_OR_ADDED, SWAPPED = 0.15, 0.08
SAME_BIRTH_PAPERS, DAY_MONTH_SWAPPED, DATE_DIGIT, YEAR_OFF, NO_BIRTH = 0.60, 0.08, 0.06, 0.05, 0.05
PLACE_TYPO, PLACE_MISSING, PLACE_NEARBY = 0.08, 0.06, 0.06
OTHER_MOVEMENT, OTHER_REGION = 0.40, 0.30
DOCUMENT, DOCUMENT_KEPT = 0.50, 0.40
SERIAL, SERIAL_KEPT = 0.35, 0.30
BIOMETRIC, BIOMETRIC_KEPT = 0.20, 0.50
AGE_ERRORS = (0,) * 8 + (1,) * 6 + (2,) * 3 + (3,) * 2 + (4,)  # 40 %, 30 %, 15 %, 10 %, 5 %

# Letters a clerk confuses (by ear or by hand); any other letter otherwise.
SOUNDS_ALIKE = {
    "c": "kqs", "k": "cqg", "q": "kc", "s": "zc", "z": "s", "g": "kh", "h": "g", "i": "ye", "y": "i",
    "e": "ai", "a": "e", "o": "u", "u": "o", "d": "t", "t": "d", "b": "p", "p": "b", "m": "n", "n": "m",
    "r": "l", "l": "r", "f": "v", "v": "f", "j": "g",
}  # fmt: skip
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _names(table: str) -> tuple[tuple[str, ...], ...]:
    """Lines of spellings; "_" stands for a space within one spelling."""
    return tuple(
        tuple(sys.intern(s.replace("_", " ")) for s in line.split()) for line in table.strip().splitlines()
    )


def _zipf_table(count: int, exponent: float = 1.0, size: int = 1 << 14) -> tuple[int, ...]:
    """Indices 0..count-1, repeated by Zipf weight: a draw is one look-up."""
    weights = [1 / (rank + 1) ** exponent for rank in range(count)]
    total = sum(weights)
    table: list[int] = []
    for index, weight in enumerate(weights):
        table.extend([index] * max(1, round(size * weight / total)))
    return tuple(table)


def _weighted_table(weights: tuple[int, ...] | list[int]) -> tuple[int, ...]:
    return tuple(index for index, weight in enumerate(weights) for _ in range(weight))


MEN, WOMEN_NAMES, FAMILIES = _names(GIVEN_M), _names(GIVEN_F), _names(FAMILY)
REGIONS = tuple(PLACES)
PLACE_NAMES = {region: _names(lines) for region, lines in PLACES.items()}
# Mohamed 13 % of men, Moussa 7 %; Traoré 10 % of family names, Maïga 7 %; a region's main
# town a quarter of its people, the rest in smaller places.
_MEN_DRAW, _WOMEN_DRAW = _zipf_table(len(MEN), 0.8), _zipf_table(len(WOMEN_NAMES), 0.8)
_FAMILY_DRAW = _zipf_table(len(FAMILIES), 0.6)
_PLACE_DRAW = {region: _zipf_table(len(names)) for region, names in PLACE_NAMES.items()}
_REGION_DRAW = _weighted_table([REGION_WEIGHTS[r] for r in REGIONS])
_MOVEMENT_DRAW = _weighted_table(MOVEMENT_WEIGHTS)


@dataclass(slots=True)
class _Identity:
    """A person as they are; every record is one clerk's rendering of it."""

    sex: str
    given: int  # line of MEN or WOMEN_NAMES
    second: int  # line of MEN, or -1
    father: int  # line of MEN
    grandfather: int  # line of MEN
    family: int  # line of FAMILIES, or -1: "Ag Father [Ag Grandfather]"
    with_elder: bool  # the lists' usual form writes the grandfather (Ag) or the father's given name
    born: dt.date
    region: str  # of the place of birth
    place: int
    listed_in: str  # region of registration
    movement: str


class _Draw:
    """The random draws of one register, as small fast methods over one `random.Random`."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.random = self.rng.random

    def pick(self, table: tuple[int, ...]) -> int:
        return table[int(self.random() * len(table))]

    def one(self, items: tuple[str, ...]) -> str:
        return items[int(self.random() * len(items))]

    def spelling(self, spellings: tuple[str, ...]) -> str:
        if len(spellings) == 1 or self.random() < USUAL_SPELLING:
            return spellings[0]
        return spellings[1 + int(self.random() * (len(spellings) - 1))]

    def birth_date(self) -> dt.date:
        year = round(self.rng.triangular(1960, 2002, 1991))
        return dt.date(year, 1 + int(self.random() * 12), 1 + int(self.random() * 28))

    def man(self, avoid: set[int] | frozenset[int] = frozenset()) -> int:
        while True:
            name = self.pick(_MEN_DRAW)
            if name not in avoid:
                return name

    def identity(self) -> _Identity:
        sex = "F" if self.random() < WOMEN else "M"
        region = REGIONS[self.pick(_REGION_DRAW)]
        tamasheq = self.random() < TAMASHEQ
        return _Identity(
            sex=sex,
            given=self.pick(_WOMEN_DRAW) if sex == "F" else self.man(),
            second=self.man() if sex == "M" and self.random() < SECOND_GIVEN else -1,
            father=self.man(),
            grandfather=self.man(),
            family=-1 if tamasheq else self.pick(_FAMILY_DRAW),
            with_elder=self.random() < (WITH_GRANDFATHER if tamasheq else WITH_FATHER),
            born=self.birth_date(),
            region=region,
            place=self.pick(_PLACE_DRAW[region]),
            listed_in=region if self.random() < 0.75 else REGIONS[self.pick(_REGION_DRAW)],
            movement=MOVEMENTS[self.pick(_MOVEMENT_DRAW)],
        )

    def siblings(self, first: _Identity) -> list[_Identity]:
        """Brothers and sisters of `first`, or (15 % of men) a father and his son: same father's
        name and family, close in age, never the same given name."""
        if first.sex == "M" and self.random() < FATHER_AND_SON:
            return self._father_and_son(first)
        size = 2 + (self.random() < 0.4) + (self.random() < 0.25)
        later = self.random() < 0.5  # the others born after `first`, or before
        family, taken, born = [first], {(first.sex, first.given)}, first.born
        while len(family) < size:
            sex = "F" if self.random() < WOMEN else "M"
            given = self.pick(_WOMEN_DRAW) if sex == "F" else self.man({g for s, g in taken if s == "M"})
            if (sex, given) in taken:
                continue
            taken.add((sex, given))
            gap = 1 + int(self.random() * 4)
            born = self._moved(born, gap if later else -gap)
            place = first.place if self.random() >= 0.1 else self.pick(_PLACE_DRAW[first.region])
            family.append(
                replace(
                    first,
                    sex=sex,
                    given=given,
                    second=-1 if sex == "F" or self.random() >= SECOND_GIVEN else self.man({first.given}),
                    born=born,
                    place=place,
                    movement=first.movement if self.random() < 0.7 else MOVEMENTS[self.pick(_MOVEMENT_DRAW)],
                )
            )
        return family

    def _father_and_son(self, first: _Identity) -> list[_Identity]:
        """A father and his son ("Almahdi Ag Inamoud", "Moussa Ag Almahdi"), 18 to 34 years apart."""
        gap = 18 + int(self.random() * 17)
        if first.born.year + gap <= 2002:  # `first` is the father
            son = replace(
                first,
                given=self.man({first.given, first.father}),
                second=-1,
                father=first.given,
                grandfather=first.father,
                born=self._moved(first.born, gap),
            )
            return [first, son]
        father = replace(
            first,
            given=first.father,
            second=-1,
            father=first.grandfather,
            grandfather=self.man({first.father, first.grandfather}),
            born=self._moved(first.born, -gap),
        )
        return [first, father]

    def namesake(self, other: _Identity) -> _Identity:
        fresh = self.identity()
        year = other.born.year + int(self.random() * 3) - 1
        return replace(
            fresh,
            sex=other.sex,
            given=other.given,
            family=other.family,
            father=other.father if other.family == -1 else fresh.father,
            with_elder=other.with_elder,
            born=fresh.born.replace(year=year),
            region=other.region,
            place=other.place,
        )

    def _moved(self, born: dt.date, years: int) -> dt.date:
        return dt.date(born.year + years, 1 + int(self.random() * 12), 1 + int(self.random() * 28))

    # --- a record -------------------------------------------------------------------------

    def names(
        self, who: _Identity, spelt: dict[str, str], elder: bool, second: bool
    ) -> tuple[list[str], list[str]]:
        """Given-name words and family-name words of one record, with the spellings of `spelt`
        (one clerk's: filled as words are first written)."""

        def word(role: str, spellings: tuple[str, ...]) -> str:
            if role not in spelt:
                spelt[role] = self.spelling(spellings)
            return spelt[role]

        given = [word("given", (WOMEN_NAMES if who.sex == "F" else MEN)[who.given])]
        if second and who.second >= 0:
            given.append(word("second", MEN[who.second]))
        if who.family >= 0:
            if elder:
                given.append(word("father", MEN[who.father]))
            family = [word("family", FAMILIES[who.family])]
        else:
            family = [word("particle", PARTICLE[who.sex]), word("father", MEN[who.father])]
            if elder:
                family += [word("ag", PARTICLE["M"]), word("grandfather", MEN[who.grandfather])]
        return given, family

    def birth(self, born: dt.date) -> tuple[int | None, dt.date | None]:
        roll = self.random()
        if roll < 0.55:
            if self.random() < 0.12:
                return born.year, dt.date(born.year, *((1, 1) if self.random() < 0.6 else (12, 31)))
            return born.year, born
        if roll < 0.85:
            error = AGE_ERRORS[int(self.random() * len(AGE_ERRORS))] * (1 if self.random() < 0.5 else -1)
            age = LIST_YEAR - born.year + error
            return LIST_YEAR - age, None
        if roll < 0.95:
            return born.year, None
        return None, None

    def birth_again(
        self, born: dt.date, year: int | None, date: dt.date | None
    ) -> tuple[int | None, dt.date | None]:
        """A copy's birth: from the same papers (with a clerk's slips), or written anew."""
        if self.random() < NO_BIRTH:
            return None, None
        if self.random() >= SAME_BIRTH_PAPERS:
            return self.birth(born)
        if date is None:
            return year, date
        roll = self.random()
        if roll < DAY_MONTH_SWAPPED:
            if date.day <= 12 and date.day != date.month:
                date = date.replace(day=date.month, month=date.day)
        elif roll < DAY_MONTH_SWAPPED + DATE_DIGIT:
            date = self._digit_slip(date)
        elif roll < DAY_MONTH_SWAPPED + DATE_DIGIT + YEAR_OFF:
            date = date.replace(year=date.year + (1 if self.random() < 0.5 else -1))
        return date.year, date

    def _digit_slip(self, date: dt.date) -> dt.date:
        """One digit of DD/MM/YYYY written wrong (day, month or the year's last two), still a date."""
        text = date.strftime("%d%m%Y")
        for _ in range(10):
            at = (0, 1, 2, 3, 6, 7)[int(self.random() * 6)]
            digit = str(int(self.random() * 10))
            if digit == text[at]:
                continue
            slipped = text[:at] + digit + text[at + 1 :]
            try:
                new = dt.date(int(slipped[4:]), int(slipped[2:4]), int(slipped[:2]))
            except ValueError:
                continue
            if 1940 <= new.year <= 2010:
                return new
        return date

    def typo(self, word: str) -> str:
        """One letter substituted (often by one that sounds alike), dropped, added, or two
        transposed; at the first letter 15 % of the time."""
        if len(word) < 3:
            return word
        at = 0 if self.random() < FIRST_LETTER else 1 + int(self.random() * (len(word) - 1))
        kind = self.random()
        letter = word[at].lower()
        if kind < 0.4:
            alike = SOUNDS_ALIKE.get(letter, LETTERS)
            new = self.one(tuple(alike if self.random() < 0.6 else LETTERS))
            new = new if new != letter else LETTERS[(LETTERS.index(new) + 1) % 26]
            changed = word[:at] + new + word[at + 1 :]
        elif kind < 0.65:
            changed = word[:at] + word[at + 1 :]
        elif kind < 0.8:
            new = self.one(tuple(LETTERS))
            changed = word[:at] + new + word[at:]
        else:
            at = min(at, len(word) - 2)
            changed = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        # Written with a capital initial whatever the slip: "Amadoun", not "aMadoun" nor "HAmadoun".
        return changed[:1].upper() + changed[1:2].lower() + changed[2:] if at <= 1 else changed


def _typos(draw: _Draw, given: list[str], family: list[str]) -> None:
    """A typo in one name word (and in a second word 25 % of the time), in place."""
    words = [(given, i) for i in range(len(given))] + [
        (family, i) for i in range(len(family)) if family[i] not in PARTICLE["M"] + PARTICLE["F"]
    ]
    count = 2 if draw.random() < SECOND_TYPO and len(words) >= 2 else 1
    for _ in range(count):
        part, index = words.pop(int(draw.random() * len(words)))
        # A spelling in two words ("Abdoul Aziz") is mistyped in one of them.
        pieces = part[index].split(" ")
        at = int(draw.random() * len(pieces))
        pieces[at] = draw.typo(pieces[at])
        part[index] = " ".join(pieces)


def _record(
    draw: _Draw,
    who: _Identity,
    number: int,
    first: Person | None,
    spelt: dict[str, str],
) -> Person:
    """`who` as one clerk wrote them: the first record of a person (`first` None) or a copy."""
    random = draw.random
    elder, second = who.with_elder, True
    if first is not None and random() < WORD_MISSING_OR_ADDED:
        if who.second >= 0 and random() < 0.5:
            second = False
        else:
            elder = not elder
    given, family = draw.names(who, spelt, elder, second)
    if first is None:
        year, date = draw.birth(who.born)
        place = spelt["place"] = draw.spelling(PLACE_NAMES[who.region][who.place])
        return Person(
            id=number,
            given=sys.intern(" ".join(given)),
            family=sys.intern(" ".join(family)),
            sex=who.sex,
            birth_year=year,
            birth_date=date,
            place_of_birth=place,
            region=who.listed_in,
            movement=who.movement,
            documents=frozenset({f"N{number:09d}"}) if random() < DOCUMENT else frozenset(),
            biometric=f"BIO{number:09d}" if random() < BIOMETRIC else "",
            serials=frozenset({f"SN{number:09d}"}) if random() < SERIAL else frozenset(),
        )
    if random() < TYPO:
        _typos(draw, given, family)
    given_text, family_text = " ".join(given), " ".join(family)
    if random() < SWAPPED:
        given_text, family_text = family_text, given_text
    year, date = draw.birth_again(who.born, first.birth_year, first.birth_date)
    roll = random()
    place = spelt["place"] if "place" in spelt else draw.spelling(PLACE_NAMES[who.region][who.place])
    if roll < PLACE_TYPO:
        place = draw.typo(place)
    elif roll < PLACE_TYPO + PLACE_MISSING:
        place = ""
    elif roll < PLACE_TYPO + PLACE_MISSING + PLACE_NEARBY:
        names = PLACE_NAMES[who.region]
        place = draw.spelling(names[draw.pick(_PLACE_DRAW[who.region])])
    movement, region = first.movement, first.region
    if random() < OTHER_MOVEMENT:
        movement = draw.one(tuple(m for m in MOVEMENTS if m != movement))
        if random() < OTHER_REGION:
            region = REGIONS[draw.pick(_REGION_DRAW)]
    return Person(
        id=number,
        given=sys.intern(given_text),
        family=sys.intern(family_text),
        sex=who.sex,
        birth_year=year,
        birth_date=date,
        place_of_birth=sys.intern(place),
        region=region,
        movement=movement,
        documents=first.documents if random() < DOCUMENT_KEPT else frozenset(),
        biometric=first.biometric if random() < BIOMETRIC_KEPT else "",
        serials=first.serials if random() < SERIAL_KEPT else frozenset(),
    )


def register(size: int, seed: int = TUNING_SEED) -> tuple[list[Person], set[tuple[int, int]]]:
    """`size` records and the true duplicate pairs (smaller id first). Ids are 0..size-1 in a
    shuffled order (the records of one person are not neighbours), and so is the list."""
    draw = _Draw(seed)
    random = draw.random
    numbers = list(range(size))
    draw.rng.shuffle(numbers)
    people: list[Person] = []
    truth: set[tuple[int, int]] = set()
    earlier: list[_Identity] = []  # a sample of people drawn before, for namesakes
    collecting = gc.isenabled()
    gc.disable()  # millions of small objects, none in a cycle: the collector would only rescan them
    try:
        while len(people) < size:
            roll = random()
            if roll < NAMESAKE_DRAW and earlier:
                group = [draw.namesake(earlier[int(random() * len(earlier))])]
            elif roll < NAMESAKE_DRAW + FAMILY_DRAW:
                group = draw.siblings(draw.identity())
            else:
                group = [draw.identity()]
            if len(earlier) < 4096:
                earlier.append(group[0])
            else:
                earlier[int(random() * 4096)] = group[0]
            for who in group:
                spelt: dict[str, str] = {}
                first = _record(draw, who, numbers[len(people)], None, spelt)
                cluster = [first]
                copies = 2 if random() < THRICE else 1 if random() < TWICE / (1 - THRICE) else 0
                for _ in range(min(copies, size - len(people) - 1)):
                    clerk = spelt if random() >= OTHER_CLERK else {}
                    cluster.append(_record(draw, who, numbers[len(people) + len(cluster)], first, clerk))
                people.extend(cluster)
                truth.update(
                    (min(a.id, b.id), max(a.id, b.id))
                    for i, a in enumerate(cluster)
                    for b in cluster[i + 1 :]
                )
                if len(people) >= size:
                    break
        people.sort(key=lambda p: p.id)
    finally:
        if collecting:
            gc.enable()
    return people, truth


if __name__ == "__main__":
    import resource
    import time

    for size in (int(a) for a in sys.argv[1:] or ["20"]):
        start = time.perf_counter()
        people, truth = register(size)
        seconds = time.perf_counter() - start
        if size <= 50:
            for p in sorted(people, key=lambda p: p.id):
                print(p)
        print(
            f"{size:,} people, {len(truth):,} true pairs, {seconds:.1f} s, "
            f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )
