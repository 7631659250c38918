# Writes Sources/ChronicleSQLite/Resources/builtin-dataset.json: the article in
# ../shared/source-article.txt encoded as sources, actors, events and quotes.
# Kept as a script so that the encoding can be read and reviewed fact by fact.
# Every excerpt must appear verbatim in the article; `--check ARTICLE` verifies that.
import json, sys

A = "article"
SKY = "sky-news-video"

sources = [
    {"key": A, "url": None,
     "title": "In Russia’s invasion of Ukraine, Lukashenko makes for an uncomfortable bedfellow",
     "publisher": None, "author": None, "published": None, "accessed": "2026-11-28"},
    {"key": SKY, "url": None,
     "title": "Belarus president accuses Ukraine of instigating the conflict",
     "publisher": "Sky News", "author": None, "published": "2022-02", "accessed": None},
]

def actor(slug, kind, name, description=None, country=None, aliases=()):
    return {"slug": slug, "kind": kind, "name": name, "description": description, "country": country,
            "aliases": [{"name": n, "language": l} for n, l in aliases]}

actors = [
    actor("alexander-lukashenko", "person", "Alexander Lukashenko", "President of Belarus", "BY",
          [("Александр Лукашенко", "ru"), ("Лукашенко", "ru"), ("Аляксандр Лукашэнка", "be"), ("Lukashenka", "en")]),
    actor("vladimir-putin", "person", "Vladimir Putin", "President of Russia", "RU", [("Владимир Путин", "ru"), ("Путин", "ru")]),
    actor("petro-poroshenko", "person", "Petro Poroshenko", "President of Ukraine at the time of the August 2014 meeting in Minsk", "UA",
          [("Петро Порошенко", "uk")]),
    actor("kurmanbek-bakiyev", "person", "Kurmanbek Bakiyev", "Kyrgyzstan’s leader whom Lukashenko asked the CSTO to back in 2010", "KG"),
    actor("kassym-jomart-tokayev", "person", "Kassym-Jomart Tokayev", "Leader of Kazakhstan’s ruling government in January 2022", "KZ"),
    actor("anatoli-liabedzka", "person", "Anatoli Liabedzka", "Member of the Belarusian opposition", "BY"),
    actor("hienadz-korshunau", "person", "Hienadz Korshunau", "Belarusian sociologist", "BY"),
    actor("belarus", "country", "Belarus", None, "BY"),
    actor("russia", "country", "Russia", None, "RU", [("Kremlin", "en")]),
    actor("ukraine", "country", "Ukraine", None, "UA"),
    actor("kazakhstan", "country", "Kazakhstan", None, "KZ"),
    actor("poland", "country", "Poland", None, "PL"),
    actor("lithuania", "country", "Lithuania", None, "LT"),
    actor("csto", "organization", "Collective Security Treaty Organisation",
          "Military alliance under Russian leadership", None, [("CSTO", "en")]),
    actor("european-union", "organization", "European Union", None, None, [("EU", "en")]),
    actor("nato", "organization", "NATO", None, None),
    actor("union-state", "organization", "Union State", "A supranational organisation linking Russia and Belarus", None),
    actor("viasna", "organization", "Viasna", "Human rights defence centre", "BY"),
    actor("chatham-house", "organization", "Chatham House", "Conducted a poll of Belarusian city dwellers in 2022", None),
    actor("belarus-ministry-of-defence", "organization", "Ministry of Defence of Belarus", None, "BY"),
    actor("russian-defence-ministry", "organization", "Russian Defence Ministry", None, "RU"),
    actor("belarusian-opposition", "group", "Belarusian opposition",
          "Belarus’s pro-democracy forces, partly in exile", "BY"),
]

def event(key, title, start, category, participants, excerpt, summary=None, end=None, location=None, country=None, extra=()):
    citations = [{"source": A, "excerpt": excerpt}] + [{"source": s, "excerpt": e} for s, e in extra]
    return {"key": key, "title": title, "summary": summary, "start": start, "end": end, "locationName": location,
            "locationCountry": country, "category": category,
            "participants": [{"actor": a, "role": r} for a, r in participants], "citations": citations}

UNDATED = "The article gives no date; it places this after August 2020 and before the 2022 invasion, so it is dated as that span."

events = [
    event("ww2-losses", "One in every four people in Belarus loses their life in the Second World War", "1941", "military",
          [("belarus", "victim")], "a country where one in every four people lost their lives between 1941 and 1944",
          end="1944", country="BY"),
    event("currency-refusal", "Lukashenko stands up to Putin over a common currency within the Union State", "2000", "diplomacy",
          [("alexander-lukashenko", "initiator"), ("vladimir-putin", "target"), ("union-state", "participant")],
          "Lukashenko also stood up to Putin on matters of strategic importance for Belarus’ independence such as the introduction of a common currency in the mid 2000s within the Union State",
          summary="In the mid 2000s (the article gives no closer date), Lukashenko resisted the introduction of a common currency within the Union State.",
          end="2009"),
    event("bakiyev-request", "Lukashenko asks the CSTO to send troops to back Kyrgyzstan’s Kurmanbek Bakiyev, without success", "2010", "military",
          [("alexander-lukashenko", "initiator"), ("csto", "target"), ("kurmanbek-bakiyev", "participant")],
          "In 2010, he requested that it send troops to back Kyrgyzstan’s Kurmanbek Bakiyev, without success.", country="KG"),
    event("maidan", "Maidan revolution in Ukraine", "2013", "protest", [("ukraine", "host")],
          "coveted by the Kremlin since the 2013-14 Maidan revolution in Ukraine", end="2014", country="UA"),
    event("crimea-annexation", "Russia annexes Crimea", "2014", "military", [("russia", "initiator"), ("ukraine", "target")],
          "Belarus’ refusal to recognise Russia’s 2014 annexation of the Crimea", location="Crimea", country="UA"),
    event("crimea-stance", "Lukashenko does not recognise Russia’s annexation of Crimea, yet endorses Putin’s actions there and in the Donbas",
          "2014", "diplomacy", [("alexander-lukashenko", "initiator"), ("belarus", "initiator"), ("russia", "target"), ("vladimir-putin", "target")],
          "At the time he adopted an ambiguous stance, not recognising Russia’s annexation of the Crimea, yet endorsing Putin’s actions there and the Donbas."),
    event("donbas-war", "War in the Donbas", "2014", "military", [("russia", "initiator"), ("ukraine", "target")],
          "In the context of the Donbas war that followed", location="Donbas", country="UA"),
    event("minsk-talks-2014", "Lukashenko offers Belarus’ territory to host talks on the Ukrainian crisis", "2014", "diplomacy",
          [("alexander-lukashenko", "mediator"), ("belarus", "host")],
          "Lukashenko, thanks to his manoeuvring skills, temporarily changed his international image from “Europe’s last dictator” to that of a “mediator in the Ukrainian crisis”, offering his territory to host talks in 2014-15.",
          end="2015", country="BY"),
    event("minsk-meeting-2014", "Lukashenko, Putin and Poroshenko meet in Minsk", "2014-08-26", "diplomacy",
          [("alexander-lukashenko", "host"), ("vladimir-putin", "participant"), ("petro-poroshenko", "participant")],
          "Alexander Lukashenko stands between Vladimir Putin and Ukraine’s president Petro Poroshenko as they meet in the Belarussian capital, Minsk, on 26 August 2014. Kirill Kudryavstev/AFP",
          location="Minsk", country="BY"),
    event("state-tv-ukraine", "Belarusian state TV regularly discredits Ukraine", "2014", "statement", [("belarus", "initiator"), ("ukraine", "target")],
          "While Ukraine has regularly been discredited on Belarusian state TV since 2014, overall it’s far less than in Russia.",
          summary="Since 2014; the article says it is far less than in Russia.", country="BY"),
    event("air-base-refusal", "Lukashenko stands up to Putin over a Russian air base in Belarus", "2015", "military",
          [("alexander-lukashenko", "initiator"), ("vladimir-putin", "target"), ("russia", "target")],
          "or the establishment of a Russian air base in 2015 coveted by the Kremlin since the 2013-14 Maidan revolution in Ukraine",
          country="BY"),
    event("eu-rapprochement", "Rapprochement between Belarus and the EU", "2015", "diplomacy",
          [("belarus", "participant"), ("european-union", "participant")],
          "from 2015 to 2020, there was even a rapprochement with EU, in part thanks to Belarus’ refusal to recognise Russia’s 2014 annexation of the Crimea",
          end="2020"),
    event("refuses-pro-democracy", "Lukashenko refuses to give in to Belarus’ pro-democracy forces", "2020-08", "repression",
          [("alexander-lukashenko", "initiator"), ("belarusian-opposition", "target"), ("vladimir-putin", "participant")],
          "Lukashenko’s own choices put him firmly in Russia’s vicelike grip after he refused to give in to his country’s pro-democracy forces in August 2020.",
          summary="Since then he has kept power largely thanks to Putin, who allowed him to secure the support of the regime’s three remaining pillars: the siloviki, the executive vertical, and about 20-30% of the electorate.",
          country="BY"),
    event("protests-dec-2020", "Belarusians take to the streets", "2020-12", "protest", [("belarusian-opposition", "participant")],
          "For the first time since December 2020, Belarusians took the streets", country="BY"),
    event("plane-hijacking", "Lukashenko orders the hijacking of an airplane flying between two European capitals", "2020", "repression",
          [("alexander-lukashenko", "initiator")],
          "Lukashenko further isolated himself from the West by ordering the hijacking of an airplane flying between two European capitals",
          summary=UNDATED, end="2022"),
    event("migration-crisis", "Lukashenko provokes a migration crisis within Poland and Lithuania", "2020", "politics",
          [("alexander-lukashenko", "initiator"), ("poland", "target"), ("lithuania", "target")],
          "provoking a migration crisis within Poland and Lithuania", summary=UNDATED, end="2022"),
    event("training-centres", "Russia and Belarus create joint military training centres", "2020", "military",
          [("russia", "participant"), ("belarus", "participant")],
          "The growing dependency on Russia also led to the creation of joint military training centres that served as a pretext for Russia maintaining a permanent military presence in Belarus.",
          summary=UNDATED, end="2022", country="BY"),
    event("kazakhstan-protests", "Protests in Kazakhstan", "2022-01", "protest", [("kazakhstan", "host")],
          "what were initially economically driven protests", country="KZ"),
    event("csto-kazakhstan", "CSTO sends Russian-led forces to Kazakhstan to support Tokayev’s government", "2022-01", "military",
          [("alexander-lukashenko", "initiator"), ("csto", "initiator"), ("vladimir-putin", "participant"),
           ("kassym-jomart-tokayev", "participant"), ("belarus", "participant")],
          "When protests emerged in Kazakhstan in January 2022, Lukashenko pushed to send troops there under the flag of the Collective Security Treaty Organisation (CSTO), which is under Russian leadership",
          summary="Lukashenko convinced Putin to give a hand to Kassym-Jomart Tokayev to defeat competing political groups trying to capitalize on initially economically driven protests.",
          country="KZ"),
    event("blames-west-kazakhstan", "Lukashenko holds the West, and Poland in particular, responsible for the unrest in Kazakhstan", "2022-01", "statement",
          [("alexander-lukashenko", "initiator"), ("poland", "target")],
          "and held the West, and more specifically Poland, responsible for the unrest."),
    event("csto-mission-end", "Ceremony marking the end of the CSTO mission in Almaty", "2022-01-13", "military",
          [("csto", "organizer"), ("belarus", "participant")],
          "Collective Security Treaty Organisation’s (CSTO) Belarus’ soldiers attend a ceremony marking the end of the CSTO mission in Almaty, Kazakhstan, on 13 January.",
          location="Almaty", country="KZ"),
    event("chatham-poll", "Chatham House poll: most Belarusian city dwellers oppose sending soldiers to Ukraine", "2022-01-20", "other",
          [("chatham-house", "organizer")],
          "In a poll conducted by the Chatham House from 20 January to 9 February, the majority of Belarusian city dwellers opposed sending soldiers to Ukraine, preferring that authorities adopt a neutral position.",
          end="2022-02-09", country="BY"),
    event("separatist-recognition", "Russia recognises the separatist republics of Donetsk and Luhansk as independent", "2022-02", "diplomacy",
          [("russia", "initiator"), ("ukraine", "target")],
          "the separatist republics of Donetsk and Luhansk that Russia recognised as independent on the eve of its invasion into Ukraine",
          summary="On the eve of the invasion (the article gives no exact day)."),
    event("invasion", "Russia invades Ukraine", "2022-02-24", "military",
          [("russia", "initiator"), ("vladimir-putin", "initiator"), ("ukraine", "victim"), ("belarus", "participant")],
          "Since Russia’s invasion on 24 February, the pariah state has provided Putin with territory for the deployment of troops and military assaults on its neighbour.",
          summary="Belarus provided territory for the deployment of Russian troops and assaults; its own troops were not sent into Ukraine.",
          country="UA"),
    event("lukashenko-blames-ukraine", "Lukashenko blames Ukraine for not capitulating and denies Belarus takes part in the war", "2022-02-24", "statement",
          [("alexander-lukashenko", "initiator"), ("ukraine", "target")],
          "When Russia invaded Ukraine on 24 February, the Belarusian president initially blamed the Ukrainian administration for not capitulating in the face of a powerful nuclear state.",
          summary="He warned of a potential bloodbath and pointed to the non-involvement of Belarusian troops, then said in the same meeting that his forces “will be there if needed”.",
          extra=[(SKY, None)]),
    event("happy-with-constitution", "Lukashenko tells the media he is happy with the previous Constitution", "2022-02-24", "statement",
          [("alexander-lukashenko", "initiator")],
          "although Lukashenko told the media three days earlier he was happy with the previous version",
          summary="Three days before the 27 February referendum.", country="BY"),
    event("ballot-invalidation-call", "Belarusian opposition in exile calls on supporters to invalidate their ballots", "2022-02", "election",
          [("belarusian-opposition", "initiator")],
          "The opposition in exile encouraged their supporters to invalidate ballots by voting both for and against the new constitution",
          country="BY"),
    event("constitution-referendum", "Belarus adopts a new Constitution under Kremlin pressure", "2022-02-27", "election",
          [("belarus", "initiator"), ("alexander-lukashenko", "initiator")],
          "On 27 February Belarus adopted a new Constitution under Kremlin pressure",
          summary="Approved in a referendum grossly violating democratic procedures; stripped of articles committing Belarus to denuclearisation and neutrality.",
          country="BY"),
    event("referendum-protests", "Anti-war protests outside polling stations in Belarus", "2022-02-27", "protest",
          [("belarusian-opposition", "organizer")],
          "Belarusians took the streets, forming picket lines and chanting anti-war slogans outside polling stations.",
          summary="The first street protests since December 2020, on the day of the constitutional referendum.", country="BY"),
    event("referendum-detentions", "About 800 people detained at anti-war protests in Belarus", "2022-02-27", "repression",
          [("viasna", "observer"), ("belarusian-opposition", "victim")],
          "Approximately 800 people were detained, according to the human rights defence centre Viasna.", country="BY"),
    event("cologne-float", "Carnival float of Putin handling Lukashenko like a puppet at a “Freedom for Ukraine” demonstration", "2022-02-28", "protest",
          [("vladimir-putin", "target"), ("alexander-lukashenko", "target")],
          "A carnival float featuring Russian President Vladimir Putin handling Belarus’ President Alexander Lukashenko like a puppet, is presented in the center of Cologne, western Germany, on February 28, 2022, where a “Freedom for Ukraine” demonstration took place instead of the traditional carnival Rose Monday procession. Ina Fassbender/AFP",
          location="Cologne", country="DE"),
    event("talks-feb-28", "Lukashenko hosts mediation talks", "2022-02-28", "diplomacy",
          [("alexander-lukashenko", "host"), ("belarus", "host")],
          "Lukashenko’s hosting mediation talks on 28 February and 3 March looks rational", country="BY"),
    event("talks-mar-3", "Lukashenko hosts mediation talks", "2022-03-03", "diplomacy",
          [("alexander-lukashenko", "host"), ("belarus", "host")],
          "Lukashenko’s hosting mediation talks on 28 February and 3 March looks rational", country="BY"),
    event("constitution-celebration", "At an event celebrating the new constitution, Lukashenko says he will not send troops to fight in Ukraine",
          "2022-03-04", "statement", [("alexander-lukashenko", "initiator")],
          "at an event celebrating the new constitution on March 4, he tried to reassure his inner circle that he would not send Belarusian troops to fight in Ukraine",
          country="BY"),
    event("skiing-event", "Lukashenko takes part in a skiing event", "2022-03-05", "other", [("alexander-lukashenko", "participant")],
          "on 5 March he took part in a skiing event", summary="Part of festivities filling prime-time TV, which the article reads as a distraction from the war.",
          country="BY"),
    event("minsk-run", "Media cover a running event in Minsk involving 300 women", "2022-03-06", "other", [],
          "the next day, media covered a running event in Minsk involving 300 women", location="Minsk", country="BY"),
    event("mod-video", "Belarus’ Ministry of Defence releases a sarcastic video denying the army’s presence in Ukraine", "2022", "statement",
          [("belarus-ministry-of-defence", "initiator")],
          "The Ministry of Defence also released a sarcastic video featuring representatives of the Belarusian army denying their presence in Ukraine.",
          summary="The article gives no date beyond the war of 2022.", country="BY"),
    event("vague-on-crimea-2022", "Lukashenko remains vague on Crimea and on the status of Donetsk and Luhansk", "2022", "statement",
          [("alexander-lukashenko", "initiator")],
          "in 2022 Lukashenko remained vague on the question of Crimea as well as the status of the separatist republics of Donetsk and Luhansk"),
]

quotes = [
    {"text": "will be there if needed", "language": "en", "speaker": "alexander-lukashenko", "said": "2022-02-24",
     "event": "lukashenko-blames-ukraine", "verification": "unverified",
     "context": "Said of his military forces, in the same meeting in which he denied that Belarus was taking part in the war.",
     "excerpt": "he promptly contradicted himself by stating during the same meeting that his military forces “will be there if needed”."},
    {"text": "legal foundation for a Russian military base and the placement of nuclear weapons", "language": "en",
     "speaker": "anatoli-liabedzka", "said": None, "event": "constitution-referendum", "verification": "unverified",
     "context": "On the new Constitution adopted on 27 February 2022, which dropped Belarus’ commitments to denuclearisation and neutrality.",
     "excerpt": "Members of the Belarusian opposition such as Anatoli Liabedzka have said the change set up the “legal foundation for a Russian military base and the placement of nuclear weapons” on Belarusian territory."},
    {"text": "Europe’s last dictator", "language": "en", "speaker": None, "said": None, "event": "minsk-talks-2014",
     "verification": "unverified", "context": "The article quotes this label for Lukashenko’s international image without naming who coined it.",
     "excerpt": "temporarily changed his international image from “Europe’s last dictator” to that of a “mediator in the Ukrainian crisis”"},
    {"text": "mediator in the Ukrainian crisis", "language": "en", "speaker": None, "said": None, "event": "minsk-talks-2014",
     "verification": "unverified", "context": "The image Lukashenko gained by offering Belarus to host talks in 2014-15; the article names no speaker.",
     "excerpt": "temporarily changed his international image from “Europe’s last dictator” to that of a “mediator in the Ukrainian crisis”"},
    {"text": "rioting", "language": "en", "speaker": "russian-defence-ministry", "said": "2022-01", "event": "csto-kazakhstan",
     "verification": "unverified", "context": "How the Russian Defence Ministry described the unrest in Kazakhstan that Russian-led forces were sent to face.",
     "excerpt": "Russian-led forces had been dispatched there to support the ruling government in the face of what the Russian Defence Ministry described as rioting."},
]
for q in quotes:
    q["citations"] = [{"source": A, "excerpt": q.pop("excerpt")}]

dataset = {"sources": sources, "actors": actors, "events": events, "quotes": quotes}

if len(sys.argv) == 3 and sys.argv[1] == "--check":
    text = open(sys.argv[2], encoding="utf-8").read()
    missing = [c["excerpt"] for e in events + quotes for c in e["citations"] if c["excerpt"] and c["source"] == A and c["excerpt"] not in text]
    for m in missing:
        print("not verbatim in the article:", m)
    sys.exit(1 if missing else 0)

text = json.dumps(dataset, ensure_ascii=False, indent=1)
with open("Sources/ChronicleSQLite/Resources/builtin-dataset.json", "w", encoding="utf-8") as f:
    f.write(text)
# The same JSON, compiled into the binary (a test checks that the two never drift apart).
assert '"""#' not in text
with open("Sources/ChronicleSQLite/BuiltinDataset+JSON.swift", "w", encoding="utf-8") as f:
    f.write("// Generated by tools/dataset.py from Resources/builtin-dataset.json; do not edit.\n")
    f.write("extension BuiltinDataset {\n    /// The dataset as JSON text.\n    public static let json = #\"\"\"\n" + text + "\n\"\"\"#\n}\n")
print(len(actors), "actors", len(events), "events", len(quotes), "quotes")
