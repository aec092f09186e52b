"""The core instruments protection rests on: refugee law, the human rights treaties on liberty,
torture and return, children, and migrant workers. Loaded with the rest of the reference content.

The same rules as ``reference.py``: titles, UN Treaty Series citations and adoption dates are
``cited``; every provision text is an exact quotation. Country statuses are recalled from the UN
Treaty Collection and therefore ``unverified`` (the loader says so on each and names where to
check). A country appears only where its position is known with confidence; where it is not (the
Comoros for several treaties), it is left out and the instrument's note says so, so that a blank in
the country matrix reads "not recorded", never "not a party" by mistake.

The countries are those of the three regions Lindung is first used in: Indonesia, Malaysia,
Thailand; Kazakhstan, Kyrgyzstan, Tajikistan, Uzbekistan; Madagascar, Seychelles, Comoros, Mauritius.
"""

import datetime

D = datetime.date
UNTC_IV = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no={}&chapter=4&clang=_en"
UNTC_V = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no={}&chapter=5&clang=_en"

REFUGEE_CONVENTION = "Convention relating to the Status of Refugees"
REFUGEE_PROTOCOL = "Protocol relating to the Status of Refugees"
ICCPR = "International Covenant on Civil and Political Rights"
CAT = "Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment"
CRC = "Convention on the Rights of the Child"
ICRMW = (
    "International Convention on the Protection of the Rights of All Migrant Workers and Members of "
    "Their Families"
)
COMOROS_NOTE = (
    "The status of the Comoros is not recorded here: check the UN Treaty Collection before reading a "
    "blank as 'not a party'."
)


def _global_treaty(title, **fields):
    """A UN treaty open to all States, in force, its title and citation cited."""
    return {
        "title_en": title,
        "title_original": title,
        "original_language": "eng",
        "region": "global",
        "open_to_all_states": True,
        "status": "in_force",
        "verification": "cited",
        **fields,
    }


def _quote(reference, heading, text, themes, groups):
    return {
        "reference": reference,
        "heading": heading,
        "text_kind": "quotation",
        "text": text,
        "themes": themes,
        "groups": groups,
    }


CORE_INSTRUMENTS = [
    _global_treaty(
        REFUGEE_CONVENTION,
        short_title="1951 Refugee Convention",
        instrument_type="convention",
        adopted_on=D(1951, 7, 28),
        in_force_on=D(1954, 4, 22),
        citation="United Nations, Treaty Series, vol. 189, p. 137",
        source_url=UNTC_V.format("V-2"),
        summary="Defines who is a refugee, sets out refugees' rights and the obligations of States, "
        "including the prohibition of return to persecution (non-refoulement).",
        provisions=[
            _quote(
                "Article 33(1)",
                'Prohibition of expulsion or return ("refoulement")',
                'No Contracting State shall expel or return ("refouler") a refugee in any manner '
                "whatsoever to the frontiers of territories where his life or freedom would be threatened "
                "on account of his race, religion, nationality, membership of a particular social group "
                "or political opinion.",
                ["return", "readmission"],
                ["refugees_asylum_seekers"],
            ),
        ],
    ),
    _global_treaty(
        REFUGEE_PROTOCOL,
        short_title="1967 Protocol",
        instrument_type="protocol",
        adopted_on=D(1967, 1, 31),
        in_force_on=D(1967, 10, 4),
        citation="United Nations, Treaty Series, vol. 606, p. 267",
        source_url=UNTC_V.format("V-5"),
        summary="Removes the 1951 Convention's time and geographical limits, so that it applies to "
        "refugees from any event and any place.",
        provisions=[
            _quote(
                "Article I(1)",
                "General provision",
                "The States Parties to the present Protocol undertake to apply articles 2 to 34 "
                "inclusive of the Convention to refugees as hereinafter defined.",
                ["return"],
                ["refugees_asylum_seekers"],
            ),
        ],
    ),
    _global_treaty(
        ICCPR,
        short_title="ICCPR",
        instrument_type="convention",
        adopted_on=D(1966, 12, 16),
        in_force_on=D(1976, 3, 23),
        citation="United Nations, Treaty Series, vol. 999, p. 171; adopted by General Assembly "
        "resolution 2200A (XXI) of 16 December 1966",
        source_url=UNTC_IV.format("IV-4"),
        summary="Civil and political rights of everyone in a State's territory, including liberty and "
        "security of person, freedom of movement and protection against arbitrary detention.",
        verification_note=COMOROS_NOTE,
        provisions=[
            _quote(
                "Article 9(1)",
                "Liberty and security of person",
                "Everyone has the right to liberty and security of person. No one shall be subjected to "
                "arbitrary arrest or detention. No one shall be deprived of his liberty except on such "
                "grounds and in accordance with such procedure as are established by law.",
                ["detention"],
                ["all_migrants", "persons_in_detention"],
            ),
            _quote(
                "Article 12(2)",
                "Freedom to leave any country",
                "Everyone shall be free to leave any country, including his own.",
                ["border_management"],
                ["all_migrants"],
            ),
        ],
    ),
    _global_treaty(
        CAT,
        short_title="Convention against Torture",
        instrument_type="convention",
        adopted_on=D(1984, 12, 10),
        in_force_on=D(1987, 6, 26),
        citation="United Nations, Treaty Series, vol. 1465, p. 85; adopted by General Assembly "
        "resolution 39/46 of 10 December 1984",
        source_url=UNTC_IV.format("IV-9"),
        summary="Prohibits torture absolutely and forbids returning anyone to a State where they would "
        "be in danger of torture.",
        verification_note=COMOROS_NOTE,
        provisions=[
            _quote(
                "Article 3(1)",
                "Non-refoulement",
                'No State Party shall expel, return ("refouler") or extradite a person to another State '
                "where there are substantial grounds for believing that he would be in danger of being "
                "subjected to torture.",
                ["return", "readmission"],
                ["all_migrants", "returnees"],
            ),
        ],
    ),
    _global_treaty(
        CRC,
        short_title="Convention on the Rights of the Child",
        instrument_type="convention",
        adopted_on=D(1989, 11, 20),
        in_force_on=D(1990, 9, 2),
        citation="United Nations, Treaty Series, vol. 1577, p. 3; adopted by General Assembly "
        "resolution 44/25 of 20 November 1989",
        source_url=UNTC_IV.format("IV-11"),
        summary="The rights of every child, whatever their or their parents' migration status, with the "
        "best interests of the child a primary consideration and detention a last resort.",
        provisions=[
            _quote(
                "Article 3(1)",
                "Best interests of the child",
                "In all actions concerning children, whether undertaken by public or private social "
                "welfare institutions, courts of law, administrative authorities or legislative bodies, "
                "the best interests of the child shall be a primary consideration.",
                ["child_protection", "return"],
                ["children", "unaccompanied_children"],
            ),
            _quote(
                "Article 37(b)",
                "Detention of children as a last resort",
                "No child shall be deprived of his or her liberty unlawfully or arbitrarily. The arrest, "
                "detention or imprisonment of a child shall be in conformity with the law and shall be "
                "used only as a measure of last resort and for the shortest appropriate period of time;",
                ["detention", "child_protection"],
                ["children", "persons_in_detention"],
            ),
        ],
    ),
    _global_treaty(
        ICRMW,
        short_title="Migrant Workers Convention",
        instrument_type="convention",
        adopted_on=D(1990, 12, 18),
        in_force_on=D(2003, 7, 1),
        citation="United Nations, Treaty Series, vol. 2220, p. 3; adopted by General Assembly "
        "resolution 45/158 of 18 December 1990",
        source_url=UNTC_IV.format("IV-13"),
        summary="The human rights of migrant workers and their families, documented or not, including "
        "protection against collective expulsion.",
        verification_note=COMOROS_NOTE,
        provisions=[
            _quote(
                "Article 22(1)",
                "No collective expulsion",
                "Migrant workers and members of their families shall not be subject to measures of "
                "collective expulsion. Each case of expulsion shall be examined and decided individually.",
                ["return", "labour_migration"],
                ["migrant_workers"],
            ),
        ],
    ),
]


def _parties(title, rows):
    return [
        (title, {"country": country, "consent": consent, "consent_on": on}) for country, consent, on in rows
    ]


ACC, RAT = "accession", "ratification"

# Countries bound, as recalled from the UN Treaty Collection (loaded as unverified). A country of the
# three regions that is absent is not a party, except the Comoros where the note above says so.
CORE_STATUSES = [
    *_parties(
        REFUGEE_CONVENTION,
        [
            ("KAZ", ACC, D(1999, 1, 15)),
            ("KGZ", ACC, D(1996, 10, 8)),
            ("TJK", ACC, D(1993, 12, 7)),
            ("MDG", ACC, D(1967, 12, 18)),
            ("SYC", ACC, D(1980, 4, 23)),
        ],
    ),
    *_parties(
        REFUGEE_PROTOCOL,
        [
            ("KAZ", ACC, D(1999, 1, 15)),
            ("KGZ", ACC, D(1996, 10, 8)),
            ("TJK", ACC, D(1993, 12, 7)),
            ("SYC", ACC, D(1980, 4, 23)),
        ],
    ),
    *_parties(
        ICCPR,
        [
            ("IDN", ACC, D(2006, 2, 23)),
            ("THA", ACC, D(1996, 10, 29)),
            ("KAZ", RAT, D(2006, 1, 24)),
            ("KGZ", ACC, D(1994, 10, 7)),
            ("TJK", ACC, D(1999, 1, 4)),
            ("UZB", ACC, D(1995, 9, 28)),
            ("MDG", RAT, D(1971, 6, 21)),
            ("SYC", ACC, D(1992, 5, 5)),
            ("MUS", ACC, D(1973, 12, 12)),
        ],
    ),
    *_parties(
        CAT,
        [
            ("IDN", RAT, D(1998, 10, 28)),
            ("THA", ACC, D(2007, 10, 2)),
            ("KAZ", ACC, D(1998, 8, 26)),
            ("KGZ", ACC, D(1997, 9, 5)),
            ("TJK", ACC, D(1995, 1, 11)),
            ("UZB", ACC, D(1995, 9, 28)),
            ("MDG", RAT, D(2005, 12, 13)),
            ("SYC", ACC, D(1992, 5, 5)),
            ("MUS", ACC, D(1992, 12, 9)),
        ],
    ),
    *_parties(
        CRC,
        [
            ("IDN", RAT, D(1990, 9, 5)),
            ("MYS", ACC, D(1995, 2, 17)),
            ("THA", ACC, D(1992, 3, 27)),
            ("KAZ", RAT, D(1994, 8, 12)),
            ("KGZ", ACC, D(1994, 10, 7)),
            ("TJK", ACC, D(1993, 10, 26)),
            ("UZB", ACC, D(1994, 6, 29)),
            ("MDG", RAT, D(1991, 3, 19)),
            ("SYC", ACC, D(1990, 9, 7)),
            ("COM", RAT, D(1993, 6, 22)),
            ("MUS", ACC, D(1990, 7, 26)),
        ],
    ),
    *_parties(
        ICRMW,
        [
            ("IDN", RAT, D(2012, 5, 31)),
            ("KGZ", ACC, D(2003, 9, 29)),
            ("TJK", ACC, D(2002, 1, 8)),
            ("MDG", RAT, D(2015, 5, 13)),
            ("SYC", ACC, D(1994, 12, 15)),
        ],
    ),
]
