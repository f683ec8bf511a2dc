"""The cookie groups the site starts with, in German and English. Created once by a data migration.

The descriptions must stay true whatever the settings: the analytics group's speaks only of the site's own
count; an optional third-party script (ANALYTICS_SCRIPT_URL) is described beside it by the settings page,
only where it is configured."""

GROUPS = [
    {
        "varname": "necessary",
        "is_required": True,
        "is_deletable": False,
        "ordering": 0,
        "name_de": "Notwendig",
        "name_en": "Necessary",
        "description_de": (
            "Diese Cookies braucht die Website, um Ihre Cookie-Auswahl zu speichern und Mitglieder unseres Teams "
            "in der Verwaltung angemeldet zu halten. Das Cookie Ihrer Auswahl wird erst gesetzt, wenn Sie eine "
            "Auswahl treffen."
        ),
        "description_en": (
            "The website needs these cookies to remember your cookie choice and to keep members of our team "
            "signed in to the administration. The cookie of your choice is only set once you make a choice."
        ),
        "cookies": [
            (
                "cookie_consent",
                "Speichert Ihre Cookie-Auswahl, höchstens 13 Monate lang.",
                "Remembers your cookie choice, for at most 13 months.",
            ),
            (
                "csrftoken",
                "Schützt die Anmeldung unseres Teams in der Verwaltung vor Fälschung durch andere Websites, ein Jahr "
                "lang. Besucherinnen und Besucher erhalten es nicht: Öffentliche Formulare schützt die Website ohne "
                "Cookie.",
                "Protects our team's sign-in to the administration against forgery by other websites, for one year. "
                "Visitors never receive it: the website protects public forms without a cookie.",
            ),
            (
                "sessionid",
                "Hält Mitglieder unseres Teams in der Verwaltung angemeldet, bis zur Abmeldung oder höchstens zwei "
                "Wochen. Besucherinnen und Besucher erhalten es nicht.",
                "Keeps members of our team signed in to the administration, until they sign out or for at most "
                "two weeks. Visitors never receive it.",
            ),
        ],
    },
    {
        "varname": "analytics",
        "is_required": False,
        "is_deletable": True,
        "ordering": 10,
        "name_de": "Statistik",
        "name_en": "Analytics",
        "description_de": (
            "Wir zählen Seitenaufrufe und Trailer-Wiedergaben pro Seite, Sprache und Tag auf unserem eigenen "
            "Server. Diese Zählung setzt keine Cookies, speichert keine IP-Adresse und erkennt Sie nicht wieder. "
            "So verstehen wir, wie die Website unserer Kampagne dient. Die Zahlen werden nie weitergegeben oder "
            "verkauft."
        ),
        "description_en": (
            "We count page views and trailer plays per page, language and day on our own server. This count "
            "places no cookies, keeps no IP address and does not recognise you. It tells us how the website "
            "serves our campaign. The figures are never shared or sold."
        ),
        "cookies": [],
    },
    {
        "varname": "trailer",
        "is_required": False,
        "is_deletable": True,
        "ordering": 20,
        "name_de": "Trailer",
        "name_en": "Trailer",
        "description_de": (
            "Unser Trailer wird von YouTube (youtube-nocookie.com) geladen. Dabei erfährt YouTube Ihre "
            "IP-Adresse, und beim Abspielen kann YouTube Cookies auf seiner eigenen Domain setzen. Ohne Ihre "
            "Zustimmung laden wir nichts von YouTube. Cookies von YouTube löschen Sie in Ihrem Browser."
        ),
        "description_en": (
            "Our trailer is loaded from YouTube (youtube-nocookie.com). YouTube then learns your IP address and, "
            "when the video plays, may set cookies on its own domain. Without your consent we load nothing from "
            "YouTube. YouTube's cookies are removed in your browser's settings."
        ),
        "cookies": [
            (
                "YSC",
                "Von YouTube beim Abspielen gesetzt, um Wiedergaben zu zählen und Missbrauch zu erkennen; bis zum "
                "Ende der Browsersitzung.",
                "Set by YouTube when the video plays, to count plays and detect abuse; until the end of the "
                "browser session.",
                ".youtube.com",
            ),
            (
                "VISITOR_INFO1_LIVE",
                "Von YouTube beim Abspielen gesetzt, um die Bandbreite für das Video zu schätzen; etwa sechs Monate.",
                "Set by YouTube when the video plays, to estimate the bandwidth for the video; about six months.",
                ".youtube.com",
            ),
        ],
    },
]


def consent_groups_create(*, cookie_group_model, cookie_model):
    """Create the groups that do not exist yet. The models are parameters for the data migration."""
    for data in GROUPS:
        if cookie_group_model.objects.filter(varname=data["varname"]).exists():
            continue
        group = cookie_group_model.objects.create(
            varname=data["varname"],
            is_required=data["is_required"],
            is_deletable=data["is_deletable"],
            ordering=data["ordering"],
            name=data["name_de"],
            name_de=data["name_de"],
            name_en=data["name_en"],
            description=data["description_de"],
            description_de=data["description_de"],
            description_en=data["description_en"],
        )
        for name, description_de, description_en, *domain in data["cookies"]:
            cookie_model.objects.create(
                cookiegroup=group,
                name=name,
                domain=domain[0] if domain else "",
                path="/",
                description=description_de,
                description_de=description_de,
                description_en=description_en,
            )
