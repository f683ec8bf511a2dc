"""The FAQ's links that the seed's machine translation lost, restored with verified addresses (issue #16),
and its "Take Action" mentions pointed at the site's own Take Action page.

One list serves both the seed file (faq/seed/faq.toml, for new databases) and migration 0010 (for
databases seeded before): each change replaces an old text with a new one, only where the old text is
still there, so an entry staff have edited keeps their wording; `changes_left_for_staff` lists those for
staff. Addresses that could not be verified are left out; the README lists them.
"""

import re

TWITTER_HK = "https://blog.twitter.com/en_us/topics/company/2019/information_operations_directed_at_Hong_Kong.html"
FACEBOOK_CIB = "https://newsroom.fb.com/news/2019/08/removing-cib-china/"
GOOGLE_INTEGRITY = "https://www.blog.google/outreach-initiatives/public-policy/maintaining-integrity-our-platforms/"
PROPUBLICA = "https://www.propublica.org/article/breaking-the-black-box-what-facebook-knows-about-you"
LANIER_BOOK = "https://www.jaronlanier.com/tenarguments.html"
ZUBOFF_BOOK = "https://shoshanazuboff.com/book/about/"
MOZILLA_GUIDE = "https://foundation.mozilla.org/en/initiatives/great-tech-great-responsibility/"
CHT_TECHNOLOGISTS = "https://www.humanetech.com/discussion-guide-for-technologists"
CHT_COVID_MENTAL_HEALTH = "https://covid.humanetech.com/resources/supporting-mental-health"
NETFLIX_TITLE = "https://www.netflix.com/title/81254224"
NETFLIX_MATURITY = "https://help.netflix.com/node/2064"
NETFLIX_LANGUAGE = "https://help.netflix.com/en/node/372"
LIFELINE = "https://988lifeline.org/"
LIFELINE_CHAT = "https://988lifeline.org/chat/"
TELEFONSEELSORGE_DE = "https://www.telefonseelsorge.de/"
TELEFONSEELSORGE_AT = "https://www.telefonseelsorge.at/"
DARGEBOTENE_HAND = "https://www.143.ch/"

OLD_SITE = "[TheSocialDilemma.com](https://www.thesocialdilemma.com/)"

# (the entry's German slug as seeded, field, old text, new text)
CHANGES = [
    # Hong Kong: the three sources whose addresses are verified (Vox and TechCrunch stay without a link).
    (
        "hongkong-clip",
        "answer_de",
        "- Twitter-Blog, „Information operations directed at Hong Kong“",
        f"- Twitter-Blog, [„Information operations directed at Hong Kong“]({TWITTER_HK})",
    ),
    (
        "hongkong-clip",
        "answer_de",
        "- Facebook, „Removing Coordinated Inauthentic Behavior From China“",
        f"- Facebook, [„Removing Coordinated Inauthentic Behavior From China“]({FACEBOOK_CIB})",
    ),
    (
        "hongkong-clip",
        "answer_de",
        "- Google, „Maintaining the integrity of our platforms“",
        f"- Google, [„Maintaining the integrity of our platforms“]({GOOGLE_INTEGRITY})",
    ),
    (
        "hongkong-clip",
        "answer_en",
        "- Twitter Blog: “Information operations directed at Hong Kong”",
        f"- Twitter Blog: [“Information operations directed at Hong Kong”]({TWITTER_HK})",
    ),
    (
        "hongkong-clip",
        "answer_en",
        "- Facebook: “Removing Coordinated Inauthentic Behavior From China”",
        f"- Facebook: [“Removing Coordinated Inauthentic Behavior From China”]({FACEBOOK_CIB})",
    ),
    (
        "hongkong-clip",
        "answer_en",
        "- Google: “Maintaining the integrity of our platforms”",
        f"- Google: [“Maintaining the integrity of our platforms”]({GOOGLE_INTEGRITY})",
    ),
    # ProPublica, Lanier, Zuboff, Mozilla, the Center for Humane Technology.
    (
        "haben-plattformen-ein-modell-von-mir",
        "answer_de",
        "Beispielsweise fand ein ProPublica-Bericht aus dem Jahr 2016",
        f"Beispielsweise fand ein [ProPublica-Bericht aus dem Jahr 2016]({PROPUBLICA})",
    ),
    (
        "haben-plattformen-ein-modell-von-mir",
        "answer_en",
        "For example, a 2016 ProPublica report found",
        f"For example, a [2016 ProPublica report]({PROPUBLICA}) found",
    ),
    (
        "soll-ich-meine-konten-loeschen",
        "answer_de",
        "Siehe auch Laniers Buch *Zehn Gründe, warum du deine Social Media Accounts sofort löschen musst*",
        "Siehe auch Laniers Buch "
        f"[*Zehn Gründe, warum du deine Social Media Accounts sofort löschen musst*]({LANIER_BOOK})",
    ),
    (
        "soll-ich-meine-konten-loeschen",
        "answer_en",
        "See also Lanier’s book *Ten Arguments for Deleting Your Social Media Accounts Right Now*",
        f"See also Lanier’s book [*Ten Arguments for Deleting Your Social Media Accounts Right Now*]({LANIER_BOOK})",
    ),
    (
        "ueberwachungskapitalismus",
        "answer_de",
        "in ihrem Buch *Das Zeitalter des Überwachungskapitalismus* populär gemacht",
        f"in ihrem Buch *Das Zeitalter des Überwachungskapitalismus* (im Original "
        f"[*The Age of Surveillance Capitalism*]({ZUBOFF_BOOK})) populär gemacht",
    ),
    (
        "ueberwachungskapitalismus",
        "answer_en",
        "in her book *The Age of Surveillance Capitalism*.",
        f"in her book [*The Age of Surveillance Capitalism*]({ZUBOFF_BOOK}).",
    ),
    (
        "ideen-fuer-humane-technologie",
        "answer_de",
        "- Die Ressourcen des [Center for Humane Technology](https://www.humanetech.com/) für Technologieschaffende, "
        "mit einem Diskussionsleitfaden zum Film,",
        f"- Die Ressourcen des [Center for Humane Technology](https://www.humanetech.com/) für Technologieschaffende, "
        f"mit einem [Diskussionsleitfaden zum Film]({CHT_TECHNOLOGISTS}),",
    ),
    (
        "ideen-fuer-humane-technologie",
        "answer_en",
        "- The resources for technologists from the [Center for Humane Technology](https://www.humanetech.com/), "
        "with a discussion guide for the film,",
        f"- The resources for technologists from the [Center for Humane Technology](https://www.humanetech.com/), "
        f"with a [discussion guide for the film]({CHT_TECHNOLOGISTS}),",
    ),
    (
        "ideen-fuer-humane-technologie",
        "answer_de",
        "- Den englischsprachigen Leitfaden *With Great Tech Comes Great Responsibility* unserer Partner bei Mozilla",
        f"- Den englischsprachigen Leitfaden [*With Great Tech Comes Great Responsibility*]({MOZILLA_GUIDE}) "
        f"unserer Partner bei Mozilla",
    ),
    (
        "ideen-fuer-humane-technologie",
        "answer_en",
        "- The guide *With Great Tech Comes Great Responsibility* from our partners at Mozilla",
        f"- The guide [*With Great Tech Comes Great Responsibility*]({MOZILLA_GUIDE}) from our partners at Mozilla",
    ),
    # Crisis lines: 988 replaced the US Lifeline's number in 2022; Austria and Switzerland beside Germany.
    (
        "psychische-gesundheit",
        "answer_de",
        "können Sie sich anonym an die Suicide Prevention Lifeline (USA) wenden, 24 Stunden, 7 Tage die Woche, "
        "unter 1-800-273-8255, oder ihre Online-Chat-Funktion nutzen. In Deutschland erreichen Sie die "
        "TelefonSeelsorge rund um die Uhr kostenlos und anonym unter 0800 111 0 111 oder 0800 111 0 222.",
        "erreichen Sie rund um die Uhr und anonym:\n\n"
        f"- in Deutschland die [TelefonSeelsorge]({TELEFONSEELSORGE_DE}), kostenlos unter "
        "[0800 111 0 111](tel:+498001110111), [0800 111 0 222](tel:+498001110222) oder [116 123](tel:116123)\n"
        f"- in Österreich die [Telefonseelsorge]({TELEFONSEELSORGE_AT}), kostenlos unter [142](tel:142)\n"
        f"- in der Schweiz [Die Dargebotene Hand]({DARGEBOTENE_HAND}) unter [143](tel:143)\n"
        f"- in den USA die [988 Suicide & Crisis Lifeline]({LIFELINE}), 24 Stunden, 7 Tage die Woche, unter 988 "
        f"(Anruf oder SMS) oder über ihre [Online-Chat-Funktion]({LIFELINE_CHAT})",
    ),
    (
        "psychische-gesundheit",
        "answer_en",
        "you can contact the Suicide Prevention Lifeline (USA) anonymously, 24 hours a day, 7 days a week, on "
        "1-800-273-8255, or use its online chat. You can also reach the TelefonSeelsorge, Germany’s crisis "
        "helpline, free of charge and anonymously around the clock on 0800 111 0 111 or 0800 111 0 222.",
        "you can reach, anonymously and around the clock:\n\n"
        f"- in the US, the [988 Suicide & Crisis Lifeline]({LIFELINE}), 24 hours a day, 7 days a week: call or "
        f"text 988, or use its [online chat]({LIFELINE_CHAT})\n"
        f"- in Germany, the [TelefonSeelsorge]({TELEFONSEELSORGE_DE}), free of charge, on "
        "[0800 111 0 111](tel:+498001110111), [0800 111 0 222](tel:+498001110222) or [116 123](tel:116123)\n"
        f"- in Austria, the [Telefonseelsorge]({TELEFONSEELSORGE_AT}), free of charge, on [142](tel:142)\n"
        f"- in Switzerland, [Die Dargebotene Hand]({DARGEBOTENE_HAND}) on [143](tel:143)",
    ),
    # The seed's closing sentence on mental health during COVID-19, which the repair had dropped.
    (
        "psychische-gesundheit",
        "answer_de",
        "Den Leitfaden finden Sie bei unseren [Materialien](site:resources).",
        "Den Leitfaden finden Sie bei unseren [Materialien](site:resources). Abschließend verweisen wir auf die "
        f"englischsprachige Übersicht des Center for Humane Technology zur [psychischen Gesundheit während "
        f"COVID-19]({CHT_COVID_MENTAL_HEALTH}) mit Anlaufstellen für Beratung und Unterstützung.",
    ),
    (
        "psychische-gesundheit",
        "answer_en",
        "You find the guide among our [resources](site:resources).",
        "You find the guide among our [resources](site:resources). Finally, we refer you to the Center for Humane "
        f"Technology’s overview of [mental health during COVID-19]({CHT_COVID_MENTAL_HEALTH}), with sources of "
        "counselling and support.",
    ),
    # Netflix: the film's title page and the help articles at their own addresses.
    (
        "ab-wann-ist-der-film-verfuegbar",
        "answer_de",
        "Sie können den Film seit dem 9. September 2020 auf Netflix abrufen.",
        f"Sie können den Film seit dem 9. September 2020 [auf Netflix]({NETFLIX_TITLE}) abrufen.",
    ),
    (
        "ab-wann-ist-der-film-verfuegbar",
        "answer_en",
        "The film has been available on Netflix since 9 September 2020.",
        f"The film has been available [on Netflix]({NETFLIX_TITLE}) since 9 September 2020.",
    ),
    (
        "welche-altersfreigabe-hat-der-film",
        "answer_de",
        "[Netflix-Hilfecenter](https://help.netflix.com/) unter „How does Netflix decide maturity ratings?“",
        f"[Netflix-Hilfecenter]({NETFLIX_MATURITY}) unter „How does Netflix decide maturity ratings?“",
    ),
    (
        "welche-altersfreigabe-hat-der-film",
        "answer_en",
        "[Netflix Help Center](https://help.netflix.com/) article “How does Netflix decide maturity ratings?”",
        f"[Netflix Help Center]({NETFLIX_MATURITY}) article “How does Netflix decide maturity ratings?”",
    ),
    (
        "netflix-sprache-aendern",
        "answer_de",
        "auf eine andere Sprache umstellen, finden Sie im [Netflix-Hilfecenter](https://help.netflix.com/).",
        f"auf eine andere Sprache umstellen, finden Sie im [Netflix-Hilfecenter]({NETFLIX_LANGUAGE}).",
    ),
    (
        "netflix-sprache-aendern",
        "answer_en",
        "on Netflix in the [Netflix Help Center](https://help.netflix.com/).",
        f"on Netflix in the [Netflix Help Center]({NETFLIX_LANGUAGE}).",
    ),
    # "Take Action": the site's own page.
    (
        "soll-ich-meine-konten-loeschen",
        "answer_de",
        f"zum Beispiel über die Take-Action-Seite auf {OLD_SITE}.",
        "zum Beispiel auf unserer Seite [Handeln](site:take-action).",
    ),
    (
        "soll-ich-meine-konten-loeschen",
        "answer_en",
        f"for example through the Take Action page on {OLD_SITE}.",
        "for example on our [Take Action](site:take-action) page.",
    ),
    (
        "soziale-medien-fuer-das-unternehmen",
        "answer_de",
        f"Besuchen Sie die Take-Action-Seite auf {OLD_SITE}, um mitzumachen.",
        "Wie Sie mitmachen können, steht auf unserer Seite [Handeln](site:take-action).",
    ),
    (
        "soziale-medien-fuer-das-unternehmen",
        "answer_en",
        f"Visit the Take Action page on {OLD_SITE} to get involved.",
        "Visit our [Take Action](site:take-action) page to get involved.",
    ),
]


def _targets(text):
    return set(re.findall(r"\]\(([^)\s]+)\)", text))


def _added_addresses(old, new):
    """The link targets a change adds: how it is recognised as made, in whatever words."""
    return _targets(new) - _targets(old)


def apply_changes(entries, save):
    """Make each change where its old text is still there and its new one not yet (some new texts contain
    the old one), in any entry. `entries` are objects with
    answer_de/answer_en and modeltranslation's original column `answer` (the German text); `save(entry,
    fields)` stores a changed one. Returns the number of changes made."""
    made = 0
    for entry in entries:
        fields = set()
        for _slug, field, old, new in CHANGES:
            text = getattr(entry, field) or ""
            if old in text and new not in text:
                setattr(entry, field, text.replace(old, new))
                fields.add(field)
                made += 1
                if field == "answer_de" and old in (entry.answer or "") and new not in entry.answer:
                    entry.answer = entry.answer.replace(old, new)
                    fields.add("answer")
        if fields:
            save(entry, sorted(fields) + ["updated_at"])
    return made


def changes_left_for_staff(entry_model, former_slug_model):
    """(entry's German slug as seeded, the entry or None, field, new text) of each change that was not
    made because staff had edited the entry (or removed it): the link is then theirs to add. A change
    counts as made when the addresses it adds are in the text, whatever words surround it. The models are
    parameters for the migration's sake."""
    entries_by_slug = {entry.slug_de: entry for entry in entry_model.objects.all()}
    for former in former_slug_model.objects.filter(language="de").select_related("entry"):
        entries_by_slug.setdefault(former.slug, former.entry)
    left = []
    for slug, field, old, new in CHANGES:
        entry = entries_by_slug.get(slug)
        text = (getattr(entry, field) or "") if entry is not None else ""
        if entry is None or not all(address in text for address in _added_addresses(old, new)):
            left.append((slug, entry, field, new))
    return left
