"""Reference content shipped with Lindung, loaded by ``lindung frameworks load-reference`` and the demo.

Rules for this file (issue 8): no invented facts. Every instrument carries its citation. Facts
taken from the official citation are marked ``cited``; anything recalled from secondary sources
(dates of ratification, entry into force of regional instruments, national details) is marked
``unverified`` with a note saying what to check. Provision texts are either exact quotations
(``quotation``) or neutral summaries (``summary``), never paraphrases presented as quotes.

National instruments of Indonesia, Malaysia and Thailand are *examples* (``is_example=True``),
loaded only with ``--examples`` or by the demo: a site keeps the knowledge base of its own region.
"""

import datetime

from django.db import transaction

from lindung.core.actors import SYSTEM
from lindung.core.audit import audit_record
from lindung.core.audit_actions import AuditAction
from lindung.standard import registry

from . import services
from .models import Instrument, PartyStatus
from .reference_core import CORE_INSTRUMENTS, CORE_STATUSES

D = datetime.date
UNTC = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no={}&chapter=18&clang=_en"
ASEAN = ["BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"]
UNTC_CHECK = (
    "Dates of signature, ratification and accession recalled from the UN Treaty Collection: check them there."
)

TIP = (
    "Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women and Children, "
    "supplementing the United Nations Convention against Transnational Organized Crime"
)
SOM = (
    "Protocol against the Smuggling of Migrants by Land, Sea and Air, supplementing the United Nations "
    "Convention against Transnational Organized Crime"
)
GCM = "Global Compact for Safe, Orderly and Regular Migration"
ACTIP = "ASEAN Convention Against Trafficking in Persons, Especially Women and Children"
BALI = "Bali Process on People Smuggling, Trafficking in Persons and Related Transnational Crime"

# GCM objective number -> themes it serves (the objective titles come from the standard's gcm_objective list).
GCM_THEMES = {
    "4": ["identification"],
    "5": ["labour_migration"],
    "6": ["labour_migration"],
    "7": ["identification", "referral", "child_protection", "gender"],
    "8": ["border_management"],
    "9": ["smuggling"],
    "10": ["trafficking"],
    "11": ["border_management"],
    "12": ["identification", "referral"],
    "13": ["atd", "detention"],
    "21": ["return", "readmission", "reintegration"],
    "22": ["labour_migration"],
}


def _gcm_provisions():
    return [
        {
            "reference": f"Objective {code}",
            "heading": label,
            "text": label,
            "text_kind": "quotation",
            "themes": GCM_THEMES.get(code, []),
            "gcm_objectives": [code],
            "groups": ["all_migrants"],
        }
        for code, label in registry.choices("gcm_objective")
    ]


REFERENCE = [
    {
        "title_en": TIP,
        "title_original": TIP,
        "original_language": "eng",
        "short_title": "Trafficking in Persons Protocol",
        "instrument_type": "protocol",
        "region": "global",
        "open_to_all_states": True,
        "adopted_on": D(2000, 11, 15),
        "in_force_on": D(2003, 12, 25),
        "status": "in_force",
        "verification": "cited",
        "citation": "United Nations, Treaty Series, vol. 2237, p. 319; adopted by General Assembly "
        "resolution "
        "55/25 of 15 November 2000 (A/RES/55/25)",
        "source_url": UNTC.format("XVIII-12-a"),
        "summary": "Supplements the United Nations Convention against Transnational Organized Crime: defines "
        "trafficking in persons, requires its criminalisation, and sets out the protection of victims, "
        "their status in receiving States and their repatriation.",
        "provisions": [
            {
                "reference": "Article 2",
                "heading": "Statement of purpose",
                "text_kind": "quotation",
                "text": "The purposes of this Protocol are: (a) To prevent and combat trafficking in "
                "persons, paying "
                "particular attention to women and children; (b) To protect and assist the victims of such "
                "trafficking, with full respect for their human rights; and (c) To promote cooperation among "
                "States Parties in order to meet those objectives.",
                "themes": ["trafficking", "gender", "child_protection"],
                "gcm_objectives": ["10"],
                "groups": ["victims_of_trafficking", "women_girls", "children"],
            },
            {
                "reference": "Article 3(a)",
                "heading": "Use of terms: trafficking in persons",
                "text_kind": "quotation",
                "text": '"Trafficking in persons" shall mean the recruitment, transportation, transfer, '
                "harbouring or "
                "receipt of persons, by means of the threat or use of force or other forms of coercion, of "
                "abduction, of fraud, of deception, of the abuse of power or of a position of vulnerability "
                "or "
                "of the giving or receiving of payments or benefits to achieve the consent of a person "
                "having "
                "control over another person, for the purpose of exploitation. Exploitation shall include, "
                "at a "
                "minimum, the exploitation of the prostitution of others or other forms of sexual "
                "exploitation, "
                "forced labour or services, slavery or practices similar to slavery, servitude or the "
                "removal of "
                "organs;",
                "themes": ["trafficking", "identification"],
                "gcm_objectives": ["10"],
                "groups": ["victims_of_trafficking"],
            },
            {
                "reference": "Article 6",
                "heading": "Assistance to and protection of victims of trafficking in persons",
                "text_kind": "summary",
                "text": "Protect the privacy and identity of victims, including through confidential legal "
                "proceedings; "
                "consider measures for their physical, psychological and social recovery (housing, "
                "counselling "
                "and information, medical, psychological and material assistance, employment, education and "
                "training); take into account the special needs of children; and allow victims to obtain "
                "compensation.",
                "themes": ["trafficking", "referral", "child_protection", "data_protection"],
                "gcm_objectives": ["10"],
                "groups": ["victims_of_trafficking", "children"],
            },
            {
                "reference": "Article 7",
                "heading": "Status of victims of trafficking in persons in receiving States",
                "text_kind": "summary",
                "text": "Each State Party shall consider measures that permit victims of trafficking to "
                "remain in its "
                "territory, temporarily or permanently, in appropriate cases, giving appropriate "
                "consideration "
                "to humanitarian and compassionate factors.",
                "themes": ["trafficking"],
                "gcm_objectives": ["10"],
                "groups": ["victims_of_trafficking"],
            },
            {
                "reference": "Article 8",
                "heading": "Repatriation of victims of trafficking in persons",
                "text_kind": "summary",
                "text": "The State of which a victim is a national, or in which the victim had the right of "
                "permanent "
                "residence, shall facilitate and accept the victim's return without undue or unreasonable "
                "delay "
                "and with due regard for the person's safety; return shall preferably be voluntary. States "
                "verify "
                "nationality or residence without undue delay and issue the travel documents needed.",
                "themes": ["return", "readmission", "trafficking"],
                "gcm_objectives": ["10", "21"],
                "groups": ["victims_of_trafficking", "returnees"],
            },
            {
                "reference": "Article 11",
                "heading": "Border measures",
                "text_kind": "summary",
                "text": "Without prejudice to international commitments on the free movement of people, "
                "States Parties "
                "shall strengthen, to the extent possible, the border controls necessary to prevent and "
                "detect "
                "trafficking in persons.",
                "themes": ["border_management", "trafficking"],
                "gcm_objectives": ["10", "11"],
                "groups": [],
            },
            {
                "reference": "Article 14",
                "heading": "Saving clause",
                "text_kind": "summary",
                "text": "Nothing in the Protocol affects the rights, obligations and responsibilities of "
                "States and "
                "individuals under international law, including humanitarian and human rights law and, where "
                "applicable, the 1951 Convention and 1967 Protocol relating to the Status of Refugees and "
                "the "
                "principle of non-refoulement.",
                "themes": ["return", "trafficking"],
                "gcm_objectives": ["10"],
                "groups": ["refugees_asylum_seekers", "victims_of_trafficking"],
            },
        ],
    },
    {
        "title_en": SOM,
        "title_original": SOM,
        "original_language": "eng",
        "short_title": "Smuggling of Migrants Protocol",
        "instrument_type": "protocol",
        "region": "global",
        "open_to_all_states": True,
        "adopted_on": D(2000, 11, 15),
        "in_force_on": D(2004, 1, 28),
        "status": "in_force",
        "verification": "cited",
        "citation": "United Nations, Treaty Series, vol. 2241, p. 507; adopted by General Assembly "
        "resolution "
        "55/25 of 15 November 2000 (A/RES/55/25)",
        "source_url": UNTC.format("XVIII-12-b"),
        "summary": "Supplements the United Nations Convention against Transnational Organized Crime: defines "
        "and "
        "requires the criminalisation of the smuggling of migrants, protects the rights of smuggled "
        "migrants and provides for their return.",
        "provisions": [
            {
                "reference": "Article 3(a)",
                "heading": "Use of terms: smuggling of migrants",
                "text_kind": "quotation",
                "text": '"Smuggling of migrants" shall mean the procurement, in order to obtain, directly or '
                "indirectly, a financial or other material benefit, of the illegal entry of a person into a "
                "State "
                "Party of which the person is not a national or a permanent resident;",
                "themes": ["smuggling"],
                "gcm_objectives": ["9"],
                "groups": ["smuggled_migrants"],
            },
            {
                "reference": "Article 5",
                "heading": "Criminal liability of migrants",
                "text_kind": "quotation",
                "text": "Migrants shall not become liable to criminal prosecution under this Protocol for "
                "the fact of "
                "having been the object of conduct set forth in article 6 of this Protocol.",
                "themes": ["smuggling"],
                "gcm_objectives": ["9"],
                "groups": ["smuggled_migrants"],
            },
            {
                "reference": "Article 8",
                "heading": "Measures against the smuggling of migrants by sea",
                "text_kind": "summary",
                "text": "A State Party that suspects a vessel of smuggling migrants by sea may request the "
                "assistance of "
                "other States Parties, and may board and search a vessel flying another State's flag with "
                "the "
                "authorisation of the flag State.",
                "themes": ["smuggling", "border_management"],
                "gcm_objectives": ["9", "11"],
                "groups": ["smuggled_migrants"],
            },
            {
                "reference": "Article 16",
                "heading": "Protection and assistance measures",
                "text_kind": "summary",
                "text": "States Parties shall preserve and protect the rights of smuggled migrants, in "
                "particular the "
                "right to life and the right not to be subjected to torture or other cruel, inhuman or "
                "degrading "
                "treatment; protect them against violence; take into account the special needs of women and "
                "children; and, where a migrant is detained, comply with their obligations on consular "
                "notification under the Vienna Convention on Consular Relations.",
                "themes": ["smuggling", "detention", "child_protection", "gender"],
                "gcm_objectives": ["9", "14"],
                "groups": ["smuggled_migrants", "women_girls", "children", "persons_in_detention"],
            },
            {
                "reference": "Article 18",
                "heading": "Return of smuggled migrants",
                "text_kind": "summary",
                "text": "Each State Party agrees to facilitate and accept, without undue or unreasonable "
                "delay, the return "
                "of a smuggled person who is its national or has the right of permanent residence in its "
                "territory, verifies nationality or residence, issues the travel documents needed, and "
                "carries "
                "out returns in an orderly manner with due regard for the safety and dignity of the person.",
                "themes": ["return", "readmission", "smuggling"],
                "gcm_objectives": ["9", "21"],
                "groups": ["smuggled_migrants", "returnees"],
            },
        ],
    },
    {
        "title_en": GCM,
        "title_original": GCM,
        "original_language": "eng",
        "short_title": "Global Compact for Migration",
        "instrument_type": "global_commitment",
        "region": "global",
        "adopted_on": D(2018, 12, 10),
        "status": "active",
        "verification": "cited",
        "citation": "Adopted at the Intergovernmental Conference in Marrakech on 10 December 2018 and "
        "endorsed by "
        "General Assembly resolution 73/195 of 19 December 2018, annex (A/RES/73/195)",
        "source_url": "https://undocs.org/A/RES/73/195",
        "summary": "A non-legally binding cooperative framework of 23 objectives for safe, orderly and "
        "regular "
        "migration. Its objectives are the provisions below and the GCM objectives used to tag every "
        "other provision.",
        "provisions": _gcm_provisions(),
    },
    {
        "title_en": ACTIP,
        "title_original": ACTIP,
        "original_language": "eng",
        "short_title": "ACTIP",
        "instrument_type": "regional_treaty",
        "region": "asean",
        "parties": ASEAN,
        "adopted_on": D(2015, 11, 21),
        "in_force_on": D(2017, 3, 8),
        "status": "in_force",
        "verification": "unverified",
        "verification_note": "Signature at Kuala Lumpur on 21 November 2015 is cited; the entry into force "
        "date "
        "(8 March 2017) is from secondary sources: check it with the ASEAN Secretariat "
        "(depositary).",
        "citation": "ASEAN Convention Against Trafficking in Persons, Especially Women and Children, signed "
        "at Kuala "
        "Lumpur on 21 November 2015",
        "summary": "Regional treaty of the ten ASEAN Member States on preventing and combating trafficking "
        "in "
        "persons, protecting and assisting victims, and cooperation.",
        "provisions": [
            {
                "reference": "Objectives (summary)",
                "heading": "Objectives",
                "text_kind": "summary",
                "text": "To prevent and combat trafficking in persons, especially women and children; to "
                "protect and "
                "assist victims with full respect for their human rights; and to promote cooperation among "
                "the "
                "Parties to meet these objectives.",
                "themes": ["trafficking", "gender", "child_protection"],
                "gcm_objectives": ["10"],
                "groups": ["victims_of_trafficking", "women_girls", "children"],
            },
        ],
        "statuses": (
            [
                {
                    "country": c,
                    "signed_on": D(2015, 11, 21),
                    "verification": "unverified",
                    "citation": "Signed by the ten ASEAN Member States at Kuala Lumpur, 21 November 2015",
                }
                for c in ASEAN
            ]
        ),
    },
    {
        "title_en": BALI,
        "title_original": BALI,
        "original_language": "eng",
        "short_title": "Bali Process",
        "instrument_type": "regional_commitment",
        "region": "asia_pacific",
        "parties": ["AUS", "IDN", "MYS", "THA"],
        "status": "active",
        "verification": "unverified",
        "verification_note": "Established at the Bali Regional Ministerial Conference in February 2002, "
        "co-chaired by "
        "Indonesia and Australia. Parties list only the members relevant to the examples; see "
        "the source for the full membership.",
        "citation": "Co-Chairs' Statement, Bali Regional Ministerial Conference on People Smuggling, "
        "Trafficking in "
        "Persons and Related Transnational Crime, Bali, February 2002",
        "source_url": "https://www.baliprocess.net/",
        "summary": "Voluntary regional forum for policy dialogue, information sharing and practical "
        "cooperation on "
        "people smuggling, trafficking in persons and related transnational crime in the Asia-Pacific.",
        "provisions": [
            {
                "reference": "Purpose (summary)",
                "heading": "Regional cooperation",
                "text_kind": "summary",
                "text": "Policy dialogue, information sharing and practical cooperation among members to "
                "combat people "
                "smuggling, trafficking in persons and related transnational crime.",
                "themes": ["smuggling", "trafficking", "border_management"],
                "gcm_objectives": ["9", "10", "23"],
                "groups": [],
            },
        ],
    },
]

# Country statuses in the UN Protocols for the example countries: recalled, so unverified.
REFERENCE_STATUSES = [
    (
        TIP,
        {
            "country": "IDN",
            "signed_on": D(2000, 12, 12),
            "consent": "ratification",
            "consent_on": D(2009, 9, 28),
            "reservations": "Reservation to article 15(2) (settlement of disputes).",
        },
    ),
    (TIP, {"country": "MYS", "consent": "accession", "consent_on": D(2009, 2, 26)}),
    (
        TIP,
        {
            "country": "THA",
            "signed_on": D(2001, 12, 18),
            "consent": "ratification",
            "consent_on": D(2013, 10, 17),
        },
    ),
    (
        SOM,
        {
            "country": "IDN",
            "signed_on": D(2000, 12, 12),
            "consent": "ratification",
            "consent_on": D(2009, 9, 28),
        },
    ),
    (SOM, {"country": "THA", "signed_on": D(2001, 12, 18)}),
]

EXAMPLE_NOTE = (
    "Illustrative example shipped with Lindung. Title, number and year are cited; provisions are "
    "summaries: check them against the official text before relying on them."
)

EXAMPLES = [
    {
        "title_en": "Law No. 21 of 2007 on the Eradication of the Criminal Act of Trafficking in Persons",
        "title_original": "Undang-Undang Nomor 21 Tahun 2007 tentang Pemberantasan Tindak Pidana Perdagangan "
        "Orang",
        "original_language": "ind",
        "instrument_type": "national_law",
        "country": "IDN",
        "status": "in_force",
        "citation": "Law of the Republic of Indonesia No. 21 of 2007",
        "implements": [TIP],
        "provisions": [
            {
                "reference": "Offences (summary)",
                "heading": "Trafficking offences",
                "text_kind": "summary",
                "text": "Criminalises trafficking in persons, including attempts and facilitation, and the "
                "trafficking "
                "of Indonesian citizens abroad.",
                "themes": ["trafficking"],
                "gcm_objectives": ["10"],
                "groups": ["victims_of_trafficking"],
            },
            {
                "reference": "Victims' rights (summary)",
                "heading": "Restitution, rehabilitation and return",
                "text_kind": "summary",
                "text": "Victims are entitled to restitution and to health and social rehabilitation, return "
                "and social "
                "reintegration.",
                "themes": ["trafficking", "return", "reintegration", "referral"],
                "gcm_objectives": ["10", "21"],
                "groups": ["victims_of_trafficking", "returnees"],
            },
        ],
    },
    {
        "title_en": "Law No. 18 of 2017 on the Protection of Indonesian Migrant Workers",
        "title_original": "Undang-Undang Nomor 18 Tahun 2017 tentang Pelindungan Pekerja Migran Indonesia",
        "original_language": "ind",
        "instrument_type": "national_law",
        "country": "IDN",
        "status": "in_force",
        "citation": "Law of the Republic of Indonesia No. 18 of 2017",
        "provisions": [
            {
                "reference": "Protection (summary)",
                "heading": "Protection before, during and after work",
                "text_kind": "summary",
                "text": "Protection of Indonesian migrant workers and their families before, during and "
                "after working "
                "abroad, including their return and economic and social reintegration.",
                "themes": ["labour_migration", "return", "reintegration"],
                "gcm_objectives": ["6", "21"],
                "groups": ["migrant_workers", "returnees"],
            },
        ],
    },
    {
        "title_en": "Law No. 6 of 2011 on Immigration",
        "title_original": "Undang-Undang Nomor 6 Tahun 2011 tentang Keimigrasian",
        "original_language": "ind",
        "instrument_type": "national_law",
        "country": "IDN",
        "status": "in_force",
        "citation": "Law of the Republic of Indonesia No. 6 of 2011",
        "implements": [SOM],
        "provisions": [
            {
                "reference": "Immigration control (summary)",
                "heading": "Entry, stay, detention and deportation",
                "text_kind": "summary",
                "text": "Governs entry and exit, stay permits, immigration detention in immigration "
                "detention houses "
                "(Rumah Detensi Imigrasi), deportation, and the offence of people smuggling.",
                "themes": ["border_management", "detention", "return", "smuggling"],
                "gcm_objectives": ["9", "11"],
                "groups": ["all_migrants", "persons_in_detention"],
            },
        ],
    },
    {
        "title_en": "Presidential Regulation No. 125 of 2016 on the Handling of Refugees from Abroad",
        "title_original": "Peraturan Presiden Nomor 125 Tahun 2016 tentang Penanganan Pengungsi dari Luar "
        "Negeri",
        "original_language": "ind",
        "instrument_type": "regulation",
        "country": "IDN",
        "status": "in_force",
        "citation": "Presidential Regulation of the Republic of Indonesia No. 125 of 2016",
        "provisions": [
            {
                "reference": "Handling of refugees (summary)",
                "heading": "Finding, shelter, security and supervision",
                "text_kind": "summary",
                "text": "Sets out how refugees from abroad are found, sheltered, secured and supervised by "
                "immigration "
                "authorities, coordinated between central and regional government.",
                "themes": ["identification", "referral"],
                "gcm_objectives": ["7", "12"],
                "groups": ["refugees_asylum_seekers"],
            },
        ],
    },
    {
        "title_en": "Anti-Trafficking in Persons and Anti-Smuggling of Migrants Act 2007 (Act 670)",
        "title_original": "Akta Antipemerdagangan Orang dan Antipenyeludupan Migran 2007 (Akta 670)",
        "original_language": "msa",
        "instrument_type": "national_law",
        "country": "MYS",
        "status": "in_force",
        "citation": "Laws of Malaysia, Act 670",
        "implements": [TIP],
        "provisions": [
            {
                "reference": "Offences (summary)",
                "heading": "Trafficking and smuggling offences",
                "text_kind": "summary",
                "text": "Criminalises trafficking in persons and, since its amendment in 2010, the smuggling "
                "of "
                "migrants.",
                "themes": ["trafficking", "smuggling"],
                "gcm_objectives": ["9", "10"],
                "groups": ["victims_of_trafficking", "smuggled_migrants"],
            },
            {
                "reference": "Care and protection (summary)",
                "heading": "Protection of trafficked persons",
                "text_kind": "summary",
                "text": "Provides for protection orders and the care and protection of trafficked persons in "
                "places of "
                "refuge.",
                "themes": ["trafficking", "referral"],
                "gcm_objectives": ["10"],
                "groups": ["victims_of_trafficking"],
            },
        ],
    },
    {
        "title_en": "Immigration Act 1959/63 (Act 155)",
        "title_original": "Akta Imigresen 1959/63 (Akta 155)",
        "original_language": "msa",
        "instrument_type": "national_law",
        "country": "MYS",
        "status": "in_force",
        "citation": "Laws of Malaysia, Act 155",
        "provisions": [
            {
                "reference": "Immigration control (summary)",
                "heading": "Entry, stay, detention and removal",
                "text_kind": "summary",
                "text": "Governs entry into and stay in Malaysia, detention in immigration depots and "
                "removal.",
                "themes": ["border_management", "detention", "return"],
                "gcm_objectives": ["11"],
                "groups": ["all_migrants", "persons_in_detention"],
            },
        ],
    },
    {
        "title_en": "Anti-Trafficking in Persons Act B.E. 2551 (2008)",
        "title_original": "พระราชบัญญัติป้องกันและปราบปรามการค้ามนุษย์ พ.ศ. ๒๕๕๑",
        "original_language": "tha",
        "instrument_type": "national_law",
        "country": "THA",
        "status": "in_force",
        "citation": "Anti-Trafficking in Persons Act B.E. 2551 (2008), Kingdom of Thailand",
        "implements": [TIP],
        "provisions": [
            {
                "reference": "Assistance (summary)",
                "heading": "Assistance and protection of trafficked persons",
                "text_kind": "summary",
                "text": "Criminalises trafficking in persons and provides for assistance to trafficked "
                "persons, "
                "including shelter, and their return to their country of origin.",
                "themes": ["trafficking", "referral", "return"],
                "gcm_objectives": ["10", "21"],
                "groups": ["victims_of_trafficking"],
            },
        ],
    },
    {
        "title_en": "Immigration Act B.E. 2522 (1979)",
        "title_original": "พระราชบัญญัติคนเข้าเมือง พ.ศ. ๒๕๒๒",
        "original_language": "tha",
        "instrument_type": "national_law",
        "country": "THA",
        "status": "in_force",
        "citation": "Immigration Act B.E. 2522 (1979), Kingdom of Thailand",
        "provisions": [
            {
                "reference": "Immigration control (summary)",
                "heading": "Entry, detention and removal",
                "text_kind": "summary",
                "text": "Governs the entry of foreigners into Thailand, their detention pending removal, and "
                "removal.",
                "themes": ["border_management", "detention", "return"],
                "gcm_objectives": ["11"],
                "groups": ["all_migrants", "persons_in_detention"],
            },
        ],
    },
    {
        "title_en": "Regulation of the Office of the Prime Minister on the Screening of Aliens who Enter "
        "into the Kingdom and are Unable to Return to the Country of Origin B.E. 2562 (2019)",
        "title_original": "ระเบียบสำนักนายกรัฐมนตรีว่าด้วยการคัดกรองคนต่างด้าว"
        "ที่เข้าเมืองและไม่สามารถเดินทางกลับประเทศต้นทางได้ พ.ศ. ๒๕๖๒",
        "original_language": "tha",
        "instrument_type": "regulation",
        "country": "THA",
        "status": "in_force",
        "verification": "unverified",
        "verification_note": "Title in Thai and date of entry into force to be checked in the Royal Thai "
        "Government "
        "Gazette.",
        "citation": "Regulation of the Office of the Prime Minister B.E. 2562 (2019) (National Screening "
        "Mechanism)",
        "provisions": [
            {
                "reference": "Screening (summary)",
                "heading": "National screening mechanism",
                "text_kind": "summary",
                "text": "Establishes a mechanism to screen foreigners who cannot return to their country of "
                "origin and "
                "to identify persons in need of protection.",
                "themes": ["identification", "referral"],
                "gcm_objectives": ["12"],
                "groups": ["refugees_asylum_seekers"],
            },
        ],
    },
    {
        "title_en": "Memorandum of Understanding on the Determination of Measures and Approaches Alternative "
        "to "
        "Detention of Children in Immigration Detention Centres",
        "title_original": "Memorandum of Understanding on the Determination of Measures and Approaches "
        "Alternative "
        "to Detention of Children in Immigration Detention Centres",
        "original_language": "",
        "instrument_type": "sop",
        "country": "THA",
        "status": "in_force",
        "adopted_on": D(2019, 1, 21),
        "verification": "unverified",
        "verification_note": "Signing date (21 January 2019) and the official Thai title are from secondary "
        "sources: "
        "check them with the signatory agencies.",
        "citation": "Inter-agency Memorandum of Understanding, Kingdom of Thailand, 2019",
        "provisions": [
            {
                "reference": "Alternatives to detention (summary)",
                "heading": "Children not detained for immigration reasons",
                "text_kind": "summary",
                "text": "Agencies agree on measures and approaches alternative to the immigration detention "
                "of children, "
                "including release of children with their mothers into community or shelter care.",
                "themes": ["atd", "child_protection", "detention"],
                "gcm_objectives": ["13"],
                "groups": ["children", "persons_in_detention"],
            },
        ],
    },
]


def _load_instrument(spec: dict, acting_user, titles: dict) -> tuple[Instrument, bool]:
    data = {k: v for k, v in spec.items() if k not in ("provisions", "statuses", "implements")}
    data.setdefault("verification", "cited")
    existing = services.find_duplicate(
        title_en=data["title_en"],
        title_original=data["title_original"],
        country=data.get("country", ""),
        region=data.get("region", ""),
        adopted_on=data.get("adopted_on"),
    )
    if existing is not None:
        return existing, False
    implements = [titles[t] for t in spec.get("implements", []) if t in titles]
    instrument = services.instrument_create(acting_user=acting_user, data=data, implements=implements)
    for position, provision in enumerate(spec.get("provisions", []), start=1):
        services.provision_save(
            acting_user=acting_user, instrument=instrument, position=position, **provision
        )
    return instrument, True


def _load_status(instrument, status: dict, acting_user) -> None:
    if PartyStatus.objects.filter(instrument=instrument, country=status["country"]).exists():
        return
    values = {"verification": "unverified", "citation": UNTC_CHECK, **status}
    services.party_status_record(acting_user=acting_user, instrument=instrument, **values)


@transaction.atomic
def load(*, examples: bool = False) -> dict:
    """Load the reference content (and the national examples); returns counts. Idempotent. A system
    job: it acts as ``SYSTEM``."""
    acting_user = SYSTEM
    created = 0
    titles: dict = {}
    for spec in REFERENCE + CORE_INSTRUMENTS + (EXAMPLES if examples else []):
        if examples and spec in EXAMPLES:
            spec = {
                **spec,
                "is_example": True,
                "verification": spec.get("verification", "cited"),
                "verification_note": spec.get("verification_note", EXAMPLE_NOTE),
            }
        instrument, new = _load_instrument(spec, acting_user, titles)
        titles[spec["title_en"]] = instrument
        created += new
        for status in spec.get("statuses", []):
            _load_status(instrument, status, acting_user)
    for title, status in REFERENCE_STATUSES + CORE_STATUSES:
        _load_status(titles[title], status, acting_user)
    if created:  # a second run changes nothing, not even the log
        audit_record(
            action=AuditAction.FRAMEWORK_REFERENCE_LOADED,
            actor=acting_user,
            detail={"created": created, "examples": examples},
        )
    return {"instruments_created": created, "instruments_known": len(titles)}
