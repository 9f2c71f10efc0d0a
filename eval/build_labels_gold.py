#!/usr/bin/env python3
"""Write the gold of the `labels` split (eval/gold/labels) from the annotation below.

    python eval/build_labels_gold.py          # writes eval/gold/labels/*.json
    python eval/check_gold.py eval/gold/labels

The gold is written out here by hand, from the articles and the contract
(docs/output-format.md), never from an extractor's output; the script only finds the
words. Every evidence quote must occur exactly once in its article. A fact's mention is
found inside the agreement's evidence and must occur there exactly once, unless a
context is given: then the context must occur exactly once in the article and contain
the mention exactly once. Anything missing or ambiguous stops the script.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from treatyx.loading import load_document  # noqa: E402
from treatyx.models import Document  # noqa: E402

ARTICLES = ROOT / "eval" / "articles" / "labels"
GOLD = ROOT / "eval" / "gold" / "labels"
COW = ROOT / "treatyx" / "normalize" / "data" / "cow_states.csv"
ORGANISATIONS = {"European Union", "NATO"}


@dataclass
class F:
    """One fact: its fields, its mention, an optional unique context around it."""

    kind: str
    fields: dict
    mention: str
    ctx: str | None = None
    opt: bool = False


def P(name: str, mention: str, ctx: str | None = None, opt: bool = False) -> F:
    return F("party", {"name": name}, mention, ctx, opt)


def M(value: float, currency: str, mention: str, period: str | None = None,
      approx: bool = False, ctx: str | None = None, opt: bool = False) -> F:
    return F("amount", {"value": value, "currency": currency, "period": period,
                        "approximate": approx}, mention, ctx, opt)


def D(value: str, mention: str, ctx: str | None = None, opt: bool = False) -> F:
    return F("duration", {"value": value}, mention, ctx, opt)


def T(value: str, role: str, mention: str, ctx: str | None = None, opt: bool = False) -> F:
    granularity = {4: "year", 7: "month", 10: "day"}[len(value)]
    return F("date", {"value": value, "granularity": granularity, "role": role},
             mention, ctx, opt)


@dataclass
class A:
    type: str
    status: str
    parties: list[F]
    evidence: list[str]
    name: str | None = None
    facts: list[F] = field(default_factory=list)


GOLD_AGREEMENTS: dict[str, list[A]] = {
    "ankara_jakarta_drone": [A(
        "research_development", "signed",
        [P("Turkey", "Turkey", "Turkey and Indonesia on Tuesday"),
         P("Indonesia", "Indonesia", "Turkey and Indonesia on Tuesday")],
        ["Turkey and Indonesia on Tuesday put pen to paper on a deal to jointly develop a "
         "medium-altitude combat drone, Turkey's defence industry agency said",
         "The programme is valued at about $450 million and will run for a decade."],
        facts=[M(450e6, "USD", "about $450 million", approx=True),
               D("P10Y", "a decade"),
               T("2025-03-04", "signed", "Tuesday", "Indonesia on Tuesday put pen")])],
    "seoul_gsomia_on_hold": [A(
        "intelligence_sharing", "suspended",
        [P("South Korea", "South Korea", "South Korea said Tuesday"),
         P("Japan", "Japan", "pact with Japan on hold, escalating")],
        ["South Korea said Tuesday it will put its military intelligence-sharing pact with "
         "Japan on hold, escalating a months-long dispute over Tokyo's export curbs on "
         "chip-making materials.",
         "The General Security of Military Information Agreement (GSOMIA), signed in "
         "November 2016, lets the two neighbors swap classified information on North "
         "Korea's missile and nuclear programs.",
         "\"Exchanges under the agreement are paused as of today and will stay frozen until "
         "Tokyo lifts its measures,\""],
        name="General Security of Military Information Agreement",
        facts=[T("2025-06-10", "other", "Tuesday", "South Korea said Tuesday"),
               T("2016-11", "signed", "November 2016")])],
    "manila_senate_raa": [
        A("basing_access", "in_force",
          [P("Philippines", "Manila", "which Manila and Tokyo signed"),
           P("Japan", "Japan", "(RAA) with Japan")],
          ["The Senate on Thursday ratified the Reciprocal Access Agreement (RAA) with Japan, "
           "clearing the way for Japanese troops to train in the country in larger numbers "
           "and for Filipino soldiers to join drills in Japan.",
           "Nineteen senators voted in favor of the resolution concurring in the ratification "
           "of the pact, which Manila and Tokyo signed in July."],
          name="Reciprocal Access Agreement",
          facts=[T("2024-07", "signed", "July", "signed in July"),
                 T("2024-10-03", "other", "Thursday", "The Senate on Thursday", opt=True)]),
        A("intelligence_sharing", "in_force",
          [P("Philippines", "Philippines", "the Philippines' Department"),
           P("Japan", "Tokyo", "agreement with Tokyo")],
          ["Separately, the Philippines' Department of National Defense said an information "
           "security agreement with Tokyo, which governs how the two militaries exchange and "
           "protect classified information, took effect on Monday."],
          facts=[T("2024-09-30", "effective", "Monday")])],
    "nz_japan_raa_talks": [A(
        "basing_access", "negotiating",
        [P("New Zealand", "New Zealand", "New Zealand and Japan have"),
         P("Japan", "Japan", "New Zealand and Japan have")],
        ["New Zealand and Japan have formally opened negotiations on a reciprocal access "
         "agreement that would make it easier for their defence forces to train and operate "
         "in each other's territory.",
         "Defence Minister Judith Collins said the first round of talks took place in Tokyo "
         "on Monday and a second was pencilled in for Wellington early next year."],
        facts=[T("2025-09-15", "other", "Monday", opt=True)])],
    "kant_base_prolonged": [A(
        "basing_access", "extended",
        [P("Kyrgyzstan", "Kyrgyzstan", "Kyrgyzstan's parliament on Tuesday"),
         P("Russia", "Moscow", "between Moscow and Bishkek")],
        ["Kyrgyzstan's parliament on Tuesday voted to prolong the agreement on the Russian "
         "military air base in Kant by 15 years, until 2042,",
         "The agreement between Moscow and Bishkek, signed in 2012, was due to lapse in 2027.",
         "Under the amended text, Russia will continue to pay no rent for the base but will "
         "write off Kyrgyz debt worth $20 million a year, the statement said."],
        facts=[D("P15Y", "15 years"),
               M(20e6, "USD", "$20 million a year", period="year"),
               T("2042", "expires", "2042"),
               T("2012", "signed", "2012"),
               T("2027", "expires", "2027", opt=True),
               T("2024-05-14", "other", "Tuesday", "parliament on Tuesday voted", opt=True)])],
    "tokyo_sma_talks": [A(
        "host_nation_support", "negotiating",
        [P("Japan", "Japan", "Japan and the United States began"),
         P("United States", "United States", "Japan and the United States began")],
        ["Japan and the United States began talks Tuesday on a new Special Measures "
         "Agreement setting how much Tokyo pays toward the upkeep of U.S. forces in the "
         "country, government sources said.",
         "Tokyo hopes to wrap up the negotiations by the end of the year so that the next "
         "accord can be put before the Diet in 2026."],
        name="Special Measures Agreement",
        facts=[T("2025-01-21", "other", "Tuesday", "began talks Tuesday", opt=True)])],
    "poland_us_hns_release": [A(
        "host_nation_support", "signed",
        [P("Poland", "Poland", "the Republic of Poland will"),
         P("United States", "United States", "the United States Ambassador")],
        ["Warsaw, 24 September 2024",
         "Today in Warsaw the Deputy Prime Minister and Minister of National Defence, "
         "Władysław Kosiniak-Kamysz, and the United States Ambassador to Poland, Mark "
         "Brzezinski, signed an agreement on host nation support for United States forces "
         "stationed on Polish territory.",
         "Under the agreement, the Republic of Poland will allocate PLN 1.2 billion a year "
         "(approximately USD 310 million) to cover the costs of fuel, utilities and "
         "infrastructure used by the American troops.",
         "The agreement will remain in force for five years, with the option of extension."],
        facts=[M(1.2e9, "PLN", "PLN 1.2 billion a year", period="year"),
               M(310e6, "USD", "approximately USD 310 million", period="year", approx=True),
               D("P5Y", "five years"),
               T("2024-09-24", "signed", "24 September 2024")])],
    "vilnius_brigade_costs": [A(
        "host_nation_support", "announced",
        [P("Lithuania", "Lithuania", "Lithuania will cover the cost"),
         P("Germany", "Berlin", "Berlin will continue")],
        ["Lithuania will cover the cost of infrastructure and services for the German brigade "
         "being stationed in the country, under an arrangement struck by the two defence "
         "ministers in Vilnius on Wednesday.",
         "Lithuanian Defence Minister Dovilė Šakalienė and her German counterpart Boris "
         "Pistorius agreed that Vilnius will pay for barracks, training ranges, housing and "
         "schools for the soldiers' families, worth an estimated 1 billion euros over the "
         "next ten years.",
         "Berlin will continue to pay the soldiers' salaries and equipment."],
        facts=[M(1e9, "EUR", "an estimated 1 billion euros", approx=True),
               D("P10Y", "ten years", opt=True),
               T("2025-11-19", "announced", "Wednesday")])],
    "lagos_patrol_boats": [A(
        "arms_transfer", "signed",
        [P("Nigeria", "Nigerian", "to the Nigerian Navy"),
         P("Turkey", "Turkey", "a deal with Turkey for")],
        ["The Federal Government has sealed a deal with Turkey for the supply of 12 coastal "
         "patrol boats to the Nigerian Navy, in a bid to curb crude oil theft and piracy in "
         "the Gulf of Guinea.",
         "The agreement was signed in Abuja on Monday by the Minister of Defence, Mohammed "
         "Badaru Abubakar, and Turkey's Deputy Minister of National Defence, Musa Heybet,",
         "The boats, valued at $180 million, will be delivered within 36 months,"],
        facts=[M(180e6, "USD", "$180 million"),
               D("P36M", "36 months", opt=True),
               T("2025-07-07", "signed", "Monday")])],
    "madrid_spike_scrapped": [A(
        "arms_transfer", "terminated",
        [P("Spain", "Spanish", "The Spanish government on Tuesday"),
         P("Israel", "Israel", "missiles from Israel, completing")],
        ["The Spanish government on Tuesday tore up a €285 million agreement to buy Spike LR2 "
         "anti-tank missiles from Israel, completing a break in arms dealings that the prime "
         "minister, Pedro Sánchez, had promised in parliament.",
         "The Council of Ministers approved the cancellation at its weekly meeting, the "
         "Defence Ministry said.",
         "The Spike deal, concluded with Israel's defence ministry in 2023, was meant to "
         "equip the army's infantry units from 2026."],
        facts=[M(285e6, "EUR", "€285 million"),
               T("2025-12-02", "expires", "Tuesday"),
               T("2023", "signed", "2023", opt=True)])],
    "cairo_jets_fmf": [
        A("arms_transfer", "planned",
          [P("Egypt", "Egypt", "Egypt is expected to sign"),
           P("China", "Beijing", "Negotiations with Beijing")],
          ["Egypt is expected to sign a contract for Chinese J-10C fighter jets next month, "
           "two Egyptian officials said on Wednesday,",
           "The deal, for an initial batch of 24 aircraft, would be Egypt's first purchase of "
           "Chinese combat jets.",
           "Negotiations with Beijing were completed in March and the signing is planned for "
           "when Defence Minister Abdel Mageed Saqr visits China in May, the officials said."],
          facts=[T("2025-05", "signed", "next month"),
                 T("2025-05", "signed", "May", "China in May", opt=True)]),
        A("security_assistance", "suspended",
          [P("United States", "US", "the US State Department said it had"),
           P("Egypt", "Egypt", "that Egypt receives")],
          ["days after Washington froze part of its military aid to Cairo.",
           "On Friday, the US State Department said it had put on hold $95 million of the $1.3 "
           "billion a year in Foreign Military Financing that Egypt receives, citing concerns "
           "over human rights."],
          facts=[M(1.3e9, "USD", "$1.3 billion a year", period="year"),
                 M(95e6, "USD", "$95 million", opt=True),
                 T("2025-04-11", "other", "Friday")])],
    "ottawa_lav_paused": [A(
        "arms_transfer", "suspended",
        [P("Canada", "Canada", "under Canada's C$15-billion"),
         P("Saudi Arabia", "Saudi Arabia", "vehicles to Saudi Arabia, Foreign")],
        ["The federal government has frozen new export permits under Canada's C$15-billion "
         "deal to sell light armoured vehicles to Saudi Arabia, Foreign Affairs Minister "
         "Chrystia Freeland confirmed Thursday.",
         "\"We have paused the deal while the review is under way,\"",
         "The 2014 contract, brokered by the Canadian Commercial Corporation, a Crown "
         "corporation, covers more than 900 vehicles built by General Dynamics Land Systems "
         "in London, Ont."],
        facts=[M(15e9, "CAD", "C$15-billion"),
               T("2014", "signed", "2014"),
               T("2019-02-28", "other", "Thursday", "confirmed Thursday", opt=True)])],
    "riyadh_treaty_talks": [
        A("alliance", "negotiating",
          [P("Saudi Arabia", "Saudi Arabia", "Saudi Arabia and the US are"),
           P("United States", "US", "Saudi Arabia and the US are")],
          ["Saudi Arabia and the US are in advanced discussions over a mutual defense treaty, "
           "Saudi Foreign Minister Prince Faisal bin Farhan said on Sunday,",
           "The treaty would commit Washington to help defend the Kingdom if it is "
           "attacked."]),
        A("research_development", "negotiating",
          [P("Saudi Arabia", "Saudi Arabia", "Saudi Arabia and Turkiye are"),
           P("Turkey", "Turkiye", "Saudi Arabia and Turkiye are")],
          ["In a separate development, Saudi Arabia and Turkiye are negotiating an agreement to "
           "co-produce Akinci combat drones in the Kingdom, the Turkish Ministry of National "
           "Defense said.",
           "The two sides held a second round of talks in Ankara last week, it said, without "
           "giving a timeline."],
          facts=[T("2024-10", "other", "last week", opt=True)])],
    "nancy_treaty_signed": [A(
        "alliance", "signed",
        [P("France", "France", "France and Poland have sealed"),
         P("Poland", "Poland", "France and Poland have sealed")],
        ["France and Poland have sealed a treaty committing each to come to the other's aid "
         "if attacked,",
         "Macron and the Polish prime minister, Donald Tusk, signed the treaty in the eastern "
         "French city of Nancy on Thursday."],
        facts=[T("2025-05-08", "signed", "Thursday")])],
    "pyongyang_treaty_effect": [A(
        "alliance", "in_force",
        [P("Russia", "Russia", "binding Russia and North Korea"),
         P("North Korea", "North Korea", "binding Russia and North Korea")],
        ["A treaty binding Russia and North Korea to provide military assistance to each other "
         "if either is attacked took effect on Wednesday,",
         "The Comprehensive Strategic Partnership Treaty was signed by Russian President "
         "Vladimir Putin and North Korean leader Kim Jong Un in Pyongyang in June.",
         "Russia's parliament ratified it last month, and Kim approved it by decree soon "
         "after."],
        name="Comprehensive Strategic Partnership Treaty",
        facts=[T("2024-12-04", "effective", "Wednesday"),
               T("2024-06", "signed", "June"),
               T("2024-11", "other", "last month", opt=True)])],
    "nordic_radar_planned": [A(
        "research_development", "planned",
        [P("Finland", "Finland", "Finland and Sweden are set"),
         P("Sweden", "Sweden", "Finland and Sweden are set")],
        ["Finland and Sweden are set to sign an agreement next week to jointly develop a "
         "long-range air surveillance radar, the Finnish Defence Ministry announced on "
         "Thursday.",
         "The deal will be signed by Defence Minister Antti Häkkänen and his Swedish "
         "counterpart Pål Jonson at a meeting in Stockholm on 19 June.",
         "The two countries will split the development cost of about 600 million Swedish "
         "kronor equally,"],
        facts=[M(600e6, "SEK", "about 600 million Swedish kronor", approx=True),
               T("2025-06-19", "signed", "19 June"),
               T("2025-06", "signed", "next week", "an agreement next week", opt=True)])],
    "nairobi_intel_paused": [A(
        "intelligence_sharing", "suspended",
        [P("Kenya", "Kenya", "Kenya has put on hold"),
         P("Somalia", "Somalia", "pact with Somalia barely")],
        ["Kenya has put on hold an intelligence-sharing pact with Somalia barely a month after "
         "the two countries unveiled it,",
         "The deal, announced in Mogadishu in early September by Defence Cabinet Secretary "
         "Aden Duale and his Somali counterpart,",
         "But on Wednesday, Interior Cabinet Secretary Kithure Kindiki said Nairobi had "
         "\"paused all exchanges under the arrangement until further notice\""],
        facts=[T("2023-09", "announced", "September"),
               T("2023-10-11", "other", "Wednesday")])],
    "rome_tokyo_acsa": [A(
        "logistics", "in_force",
        [P("Italy", "Italy", "between Italy and Japan came"),
         P("Japan", "Japan", "between Italy and Japan came")],
        ["An acquisition and cross-servicing agreement between Italy and Japan came into "
         "effect on Wednesday, allowing the two countries' armed forces to supply each other "
         "with food, fuel, ammunition and transport during joint exercises and operations,",
         "The agreement was signed in Rome last July and approved by the Italian parliament "
         "in December."],
        facts=[T("2024-01-17", "effective", "Wednesday"),
               T("2023-07", "signed", "last July"),
               T("2023-12", "other", "December", opt=True)])],
    "delhi_cairo_drills": [
        A("training_exercises", "announced",
          [P("India", "India", "India and Egypt have agreed"),
           P("Egypt", "Egypt", "India and Egypt have agreed")],
          ["India and Egypt have agreed to hold joint special forces and air force drills every "
           "year and to exchange instructors at each other's staff colleges, defence minister "
           "Rajnath Singh said on Thursday after talks with his Egyptian counterpart in Cairo.",
           "The two sides agreed on a calendar of exercises for the next three years,"],
          facts=[D("P3Y", "three years"),
                 T("2025-03-27", "announced", "Thursday", opt=True)]),
        A("logistics", "negotiating",
          [P("India", "India", "said India's talks"),
           P("Indonesia", "Indonesia", "talks with Indonesia on")],
          ["Singh also said India's talks with Indonesia on a logistics support agreement, "
           "which would let the two navies refuel and repair ships at each other's ports, "
           "were \"progressing well\"."])],
    "colombo_acsa_rolled": [A(
        "logistics", "extended",
        [P("Sri Lanka", "Sri Lanka", "after Sri Lanka and the US"),
         P("United States", "US", "after Sri Lanka and the US")],
        ["The visit comes weeks after Sri Lanka and the US quietly rolled over their "
         "Acquisition and Cross-Servicing Agreement for another ten years.",
         "The agreement, first signed in 2007 and renewed in 2017, lets the two militaries "
         "exchange fuel, food and spare parts."],
        name="Acquisition and Cross-Servicing Agreement",
        facts=[D("P10Y", "ten years"),
               T("2007", "signed", "2007"),
               T("2017", "other", "2017", opt=True)])],
    "amman_officer_exchange": [A(
        "training_exercises", "signed",
        [P("United Kingdom", "UK", "The UK and Jordan have signed"),
         P("Jordan", "Jordan", "The UK and Jordan have signed")],
        ["The UK and Jordan have signed a memorandum of understanding on officer exchanges "
         "and joint training, Minister for the Armed Forces Luke Pollard announced today.",
         "The memorandum, signed in Amman on Monday, will see up to 20 British and Jordanian "
         "officers a year serve in each other's training establishments,",
         "It runs for five years.",
         "Under the memorandum, the UK will also fund English-language and staff courses for "
         "Jordanian officers worth £4 million."],
        facts=[M(4e6, "GBP", "£4 million"),
               D("P5Y", "five years"),
               T("2025-10-06", "signed", "Monday")])],
    "phnom_penh_drills": [A(
        "training_exercises", "suspended",
        [P("Cambodia", "Cambodia", "Cambodia has put its annual"),
         P("United States", "United States", "exercises with the United States on ice")],
        ["Cambodia has put its annual joint military exercises with the United States on ice "
         "for two years, the defence ministry said Monday,",
         "The \"Angkor Sentinel\" drills, held every year since 2010, had been due to take "
         "place in March"],
        facts=[T("2017-01-16", "other", "Monday", opt=True)])],
    "niamey_eu_mission": [A(
        "training_exercises", "terminated",
        [P("Niger", "Niger", "Niger's military rulers"),
         P("European Union", "European Union", "which the European Union trained")],
        ["Niger's military rulers have torn up the legal agreement under which the European "
         "Union trained the country's soldiers, bringing the EU's military partnership "
         "mission in the country to an end,",
         "The decision, read out on national television late Monday, withdraws \"with "
         "immediate effect\" the privileges and immunities granted to the mission under a "
         "2022 exchange of letters with Brussels.",
         "The mission, which had a budget of 27 million euros,"],
        facts=[T("2023-12-04", "expires", "Monday"),
               T("2022", "signed", "2022", opt=True),
               M(27e6, "EUR", "27 million euros", opt=True)])],
    "oslo_aid_package": [A(
        "security_assistance", "announced",
        [P("Norway", "Norway", "Norway has unveiled"),
         P("Ukraine", "Ukraine", "package for Ukraine worth")],
        ["Norway has unveiled a new military aid package for Ukraine worth 5 billion Norwegian "
         "crowns, the government said on Thursday,",
         "About 1.5 billion crowns will be used to buy drones from Norwegian and Ukrainian "
         "producers,"],
        facts=[M(5e9, "NOK", "5 billion Norwegian crowns"),
               M(1.5e9, "NOK", "About 1.5 billion crowns", approx=True, opt=True),
               T("2025-06-26", "announced", "Thursday")])],
    "dhaka_osa": [A(
        "security_assistance", "signed",
        [P("Bangladesh", "Bangladesh", "Bangladesh and Japan yesterday"),
         P("Japan", "Japan", "Bangladesh and Japan yesterday")],
        ["Bangladesh and Japan yesterday signed an exchange of notes under which Tokyo will "
         "provide coastal radar systems and rescue boats to the Bangladesh Navy under its "
         "Official Security Assistance (OSA) programme.",
         "The grant, worth 575 million yen (about Tk 45 crore), was signed at the Ministry of "
         "Foreign Affairs in Dhaka"],
        facts=[M(575e6, "JPY", "575 million yen"),
               M(450e6, "BDT", "about Tk 45 crore", approx=True),
               T("2025-02-19", "signed", "yesterday")])],
    "berlin_jordan_aid": [A(
        "security_assistance", "extended",
        [P("Germany", "Germany", "Germany has prolonged"),
         P("Jordan", "Jordan", "programme for Jordan by")],
        ["Germany has prolonged its military support programme for Jordan by three years, "
         "committing a further 120 million euros to equip and train the Jordanian armed "
         "forces,",
         "The programme, part of Germany's Enable and Enhance Initiative, was first agreed "
         "with Amman in 2016 and had been due to end this December. It will now run until "
         "the end of 2027."],
        facts=[M(120e6, "EUR", "120 million euros"),
               D("P3Y", "three years"),
               T("2027", "expires", "2027"),
               T("2016", "announced", "2016", opt=True),
               T("2024-12", "expires", "this December", opt=True)])],
    "islamabad_nuclear_pact": [A(
        "other", "extended",
        [P("Pakistan", "Pakistan", "ISLAMABAD: Pakistan and India"),
         P("India", "India", "ISLAMABAD: Pakistan and India")],
        ["Pakistan and India have renewed for another five years an agreement on reducing the "
         "risk from accidents relating to nuclear weapons, the Foreign Office said on "
         "Tuesday,",
         "The agreement, originally signed in 2007, obliges each side to notify the other "
         "immediately of any accident involving nuclear weapons"],
        facts=[D("P5Y", "five years"),
               T("2007", "signed", "2007")])],
    "athens_cbm_talks": [A(
        "other", "negotiating",
        [P("Greece", "Greece", "from Greece and Turkey met"),
         P("Turkey", "Turkey", "from Greece and Turkey met")],
        ["Military delegations from Greece and Turkey met in Ankara on Wednesday to resume "
         "negotiations on a package of confidence-building measures, including a hotline "
         "between the two air forces and a moratorium on military exercises in the Aegean "
         "during the summer tourist season."],
        facts=[T("2025-11-12", "other", "Wednesday", opt=True)])],
    "new_start_lapses": [A(
        "other", "terminated",
        [P("United States", "United States", "between the United States and Russia, lapsed"),
         P("Russia", "Russia", "between the United States and Russia, lapsed")],
        ["The New START treaty, the last remaining arms control pact between the United "
         "States and Russia, lapsed on Thursday,",
         "The treaty, signed in 2010 and prolonged once in 2021, capped each side at 1,550 "
         "deployed strategic warheads"],
        name="New START",
        facts=[T("2026-02-05", "expires", "Thursday"),
               T("2010", "signed", "2010"),
               T("2021", "other", "2021", opt=True)])],
    "hanoi_jakarta_mou": [A(
        "defence_cooperation", "signed",
        [P("Vietnam", "Vietnamese", "Vietnamese Minister of National Defence"),
         P("Indonesia", "Indonesian", "and Indonesian Minister of Defence")],
        ["Vietnamese Minister of National Defence General Phan Van Giang and Indonesian "
         "Minister of Defence Sjafrie Sjamsoeddin on July 1 penned a memorandum of "
         "understanding on defence cooperation during the latter's official visit to "
         "Vietnam.",
         "Under the MoU, the two sides will step up delegation exchanges and cooperation in "
         "training, the defence industry, maritime security, search and rescue and UN "
         "peacekeeping."],
        facts=[T("2025-07-01", "signed", "July 1")])],
    "ndjamena_france": [A(
        "defence_cooperation", "terminated",
        [P("Chad", "Chad", "Chad has ended"),
         P("France", "France", "agreement with France, the")],
        ["Chad has ended its defence cooperation agreement with France, the foreign ministry "
         "in N'Djamena said late on Thursday,",
         "The agreement, revised in 2019, \"no longer reflects the security and geopolitical "
         "realities of our time,\""],
        facts=[T("2024-11-28", "other", "Thursday"),
               T("2019", "other", "2019", opt=True)])],
    "london_rome_partnership": [A(
        "defence_cooperation", "announced",
        [P("United Kingdom", "Britain", "Britain and Italy have unveiled"),
         P("Italy", "Italy", "Britain and Italy have unveiled")],
        ["Britain and Italy have unveiled a defence partnership under which the two countries' "
         "armed forces will deploy together more often, coordinate their work in the "
         "Mediterranean and deepen cooperation on a new fighter jet, Sir Keir Starmer "
         "announced yesterday.",
         "The partnership was agreed during a meeting with Giorgia Meloni at Downing Street."],
        facts=[T("2025-05-19", "announced", "yesterday")])],
    "canberra_jakarta_treaty": [A(
        "defence_cooperation", "planned",
        [P("Australia", "Australia", "between Australia and Indonesia"),
         P("Indonesia", "Indonesia", "between Australia and Indonesia")],
        ["Prime Minister Anthony Albanese will travel to Jakarta this week to sign a new "
         "security treaty between Australia and Indonesia, committing the two neighbours to "
         "consult each other if either faces a threat to its security.",
         "The treaty will be signed by Mr Albanese and President Prabowo Subianto on Friday,"],
        facts=[T("2025-12-12", "signed", "Friday", "Subianto on Friday")])],
    "galatasaray_defender": [],
    "uk_india_trade": [],
    "shangri_la_speech": [],
    "amazon_climate_pact": [],
}


def _states() -> dict[str, tuple[str, int]]:
    lines = [x for x in COW.read_text(encoding="utf-8").splitlines() if not x.startswith("#")]
    return {row["name"]: (row["iso3"], int(row["cow"]))
            for row in csv.DictReader(lines) if row["iso3"]}


def _once(text: str, needle: str, where: str) -> int:
    first = text.find(needle)
    if first == -1:
        raise SystemExit(f"{where}: {needle!r} not found")
    if text.find(needle, first + 1) != -1:
        raise SystemExit(f"{where}: {needle!r} occurs more than once")
    return first


def _fact_span(text: str, fact: F, evidence: list[tuple[int, int]], where: str) -> list[int]:
    if fact.ctx is not None:
        if fact.mention not in fact.ctx:
            raise SystemExit(f"{where}: context {fact.ctx!r} lacks {fact.mention!r}")
        at = _once(text, fact.ctx, where) + _once(fact.ctx, fact.mention, where)
    else:
        hits = {s + i for s, e in evidence for i in range(len(text[s:e]))
                if text[s:e].startswith(fact.mention, i)}
        if len(hits) != 1:
            raise SystemExit(f"{where}: {fact.mention!r} occurs {len(hits)} times in the "
                             "evidence; give a context")
        at = hits.pop()
    if text[at:at + len(fact.mention)] != fact.mention:
        raise SystemExit(f"{where}: span does not give {fact.mention!r}")
    if not any(s <= at and at + len(fact.mention) <= e for s, e in evidence):
        raise SystemExit(f"{where}: {fact.mention!r} lies outside the evidence")
    return [at, at + len(fact.mention)]


def build(doc_id: str, agreements: list[A], states: dict[str, tuple[str, int]]) -> dict:
    source = load_document(ARTICLES / f"{doc_id}.txt")
    text = source.text
    out = []
    for n, agreement in enumerate(agreements):
        where = f"{doc_id}[{n}]"
        evidence = []
        for quote in agreement.evidence:
            start = _once(text, quote, where)
            evidence.append((start, start + len(quote)))
        record: dict = {"name": agreement.name, "type": agreement.type,
                        "status": agreement.status, "parties": [], "amounts": [],
                        "durations": [], "dates": [],
                        "evidence": [{"quote": q, "span": list(s)}
                                     for q, s in zip(agreement.evidence, evidence,
                                                     strict=True)]}
        for fact in agreement.parties + agreement.facts:
            item = dict(fact.fields)
            if fact.kind == "party":
                if item["name"] in ORGANISATIONS:
                    item.update(iso3=None, cow=None, kind="organisation")
                else:
                    iso3, cow = states[item["name"]]
                    item.update(iso3=iso3, cow=cow, kind="state")
            item["mention"] = fact.mention
            item["span"] = _fact_span(text, fact, evidence, f"{where} {fact.kind}")
            if fact.opt:
                item["optional"] = True
            key = {"party": "parties", "amount": "amounts", "duration": "durations",
                   "date": "dates"}[fact.kind]
            record[key].append(item)
        out.append(record)
    doc = {"schema_version": "1", "doc_id": doc_id, "title": source.title,
           "published": source.published.isoformat() if source.published else None,
           "agreements": out}
    return Document.model_validate(doc).model_dump(mode="json")


def main() -> int:
    states = _states()
    articles = {p.stem for p in ARTICLES.glob("*.txt")}
    if articles != set(GOLD_AGREEMENTS):
        raise SystemExit(f"articles without gold: {sorted(articles - set(GOLD_AGREEMENTS))}; "
                         f"gold without article: {sorted(set(GOLD_AGREEMENTS) - articles)}")
    GOLD.mkdir(parents=True, exist_ok=True)
    for doc_id, agreements in sorted(GOLD_AGREEMENTS.items()):
        doc = build(doc_id, agreements, states)
        (GOLD / f"{doc_id}.json").write_text(
            json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(GOLD_AGREEMENTS)} gold files, "
          f"{sum(map(len, GOLD_AGREEMENTS.values()))} agreements -> {GOLD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
