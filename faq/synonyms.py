"""Words readers search for that the answers put in other words: the FAQ search looks for those too.

Each row: the beginnings of the words a reader may type (folded as faq.searchtext.fold folds them:
lowercase, without umlauts and accents, ß as ss), in either language; and per site language the
beginnings of the words to look for as well (a beginning that ends with "$" is a whole word: "kinder$" is
"Kinder", not "Kindergarten"). A query word that begins with one of the first is found
where the word itself is, or any of the second (as the beginning of a word: "suizid" finds
"Suizidgedanken").

A word listed here is a known word, not a typo: it is never matched with words that merely look alike
(so "depression" does not find "expression").

Above all, whoever searches for suicide or depression must find the answer with the crisis lines
(psychische-gesundheit / mental-health), in whatever words they search for it.
"""

SYNONYMS = (
    # Crisis and mental health: the answer with the helplines.
    (
        # Also as people in a crisis write it: "ich will mich umbringen", "ich will nicht mehr leben",
        # "kill myself", "Krisendienst" (beginnings of words, folded).
        (
            "selbstmord",
            "selbsttotung",
            "freitod",
            "suizid",
            "suicid",
            "lebensmud",
            "selbstverletz",
            "umbring",
            "sterben",
            "kill",
            "krise",
            "krisen",
            "crisis",
            "ritzen",
            "hoffnungslos",
            "hopeless",
            "verzweif",
            "despair",
        ),
        {"de": ("suizid", "psychisch"), "en": ("suicid", "mental")},
    ),
    (
        ("self-harm", "selfharm"),
        {"de": ("suizid", "psychisch"), "en": ("suicid", "mental")},
    ),
    (
        ("depress", "deprimiert", "angststorung", "anxiety", "anxious", "burnout", "burn-out"),
        {"de": ("psychisch",), "en": ("mental",)},
    ),
    (
        ("psychisch", "seelisch", "mental", "psychiatr"),
        {"de": ("psychisch",), "en": ("mental",)},
    ),
    (
        ("helpline", "hotline", "notruf", "krisentelefon", "sorgentelefon", "hilfetelefon", "seelsorge", "lifeline"),
        {"de": ("telefonseelsorge",), "en": ("lifeline", "telefonseelsorge")},
    ),
    # Everyday words the answers do not use.
    (("movie",), {"de": ("film",), "en": ("film",)}),
    # When it was made: the answer speaks of "Dreharbeiten" and "filming".
    (
        ("shot", "shoot", "filmed", "produced", "produziert", "aufgenommen", "entstanden", "drehzeit", "drehort"),
        {"de": ("dreharbeit", "gedreht"), "en": ("filming", "made")},
    ),
    # Whether children may watch it: the answer about the age rating (PG-13).
    (
        (
            "kid",
            "child",
            "kinder$",
            "kindern$",
            "jugendlich",
            "jugendschutz",
            "teen",
            "minderjahr",
            "minor",
            "fsk",
            "altersfrei",
            "altersbeschr",
            "altersempf",
            "suitable",
            "appropriate",
            "geeignet",
            "maturity",
        ),
        {"de": ("altersfreigab", "pg-13"), "en": ("rated", "pg-13", "maturity")},
    ),
    # Showing it to a group: the answers speak of Netflix's one-time permission.
    (
        ("licen", "lizenz", "lizens", "erlaubnis", "vorfuhrrecht", "auffuhrungsrecht", "copyright", "urheberrecht"),
        {"de": ("genehmigung",), "en": ("permission",)},
    ),
    (("dauer",), {"de": ("lang", "minut"), "en": ()}),
)
