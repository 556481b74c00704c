//! Consultation questions as GPs ask them, and the offers that run in every wijk.

/// Anonymous consultation questions as GPs ask them, with the team's answer. Fictional,
/// written for the demo: (subject, question, answer).
pub(crate) const QUESTIONS: &[(&str, &str, &str)] = &[
    (
        "Meisje 9 jaar, slaapt slecht sinds scheiding ouders",
        "Moeder vraagt hulp bij het slapen en de spanning rond de wisseling tussen de huizen. Past opvoedondersteuning, of eerst iets anders?",
        "Eerst een gesprek met beide ouders via de consulent; de cursus Scheiden met kinderen past daarna goed. Ik bel moeder deze week.",
    ),
    (
        "Jongen 14 jaar, somber en spijbelt",
        "Ouders maken zich zorgen: somber, trekt zich terug, school meldt verzuim. Direct naar de basis-GGZ of eerst via het team?",
        "Eerst via ons: een consulent spreekt hem samen met de intern begeleider. Zijn er signalen van suïcidaliteit, verwijs dan direct.",
    ),
    (
        "Peuter 3 jaar, driftbuien",
        "Ouders zijn uitgeput van de driftbuien. Wat is er laagdrempelig?",
        "Het opvoedspreekuur van het consultatiebureau of de Opvoedwinkel in de wijk; geen verwijzing nodig. Ouders kunnen zich zelf aanmelden.",
    ),
    (
        "Gezin met geldzorgen, kinderen 6 en 10",
        "Vader vertelt over schulden en stress thuis. Kan het team dit oppakken?",
        "Ja, aanmelden bij ons: budgetcoaching en het Sport- en cultuurfonds voor de kinderen. Ik neem contact op als vader akkoord is.",
    ),
    (
        "Meisje 16 jaar, eetproblemen?",
        "Fors gewichtsverlies, ouders ongerust. Is dit iets voor het team of direct specialistisch?",
        "Bij fors gewichtsverlies direct verwijzen naar de eetstoornissenzorg; wij kunnen het gezin ernaast ondersteunen.",
    ),
    (
        "Broertjes 8 en 11, onrustig thuis",
        "Moeder vermoedt ruzie tussen de ouders, de kinderen zijn onrustig op school. Hoe pakken we dit op zonder de kinderen te belasten?",
        "Graag een gesprek met moeder bij ons; bij zorgen over veiligheid kunnen we samen met Veilig Thuis adviseren.",
    ),
    (
        "Jongen 7 jaar, mogelijk dyslexie",
        "School denkt aan dyslexie. Loopt dat via de huisarts?",
        "Nee, via school: het dossier gaat naar de dyslexiezorg. Wij hoeven niet tussen te komen.",
    ),
    (
        "Jongere 17 jaar, blowt veel",
        "Ouders willen hulp, de jongere zelf twijfelt. Wat raadt het team aan?",
        "Een gesprek bij de verslavingspreventie voor de jongere en een ouderavond; wil hij niet, dan begeleiden wij de ouders.",
    ),
];

/// Offers of welfare organisations that run in every wijk (each wijk gets its own entry,
/// covering that wijk, at its buurthuis).
pub(crate) const PER_WIJK: &[&str] = &[
    "Opvoedwinkel",
    "Huiswerkbegeleiding in de wijk",
    "Buurtsport na school",
    "Jongerenwerk in de wijk",
    "Meidengroep Sterk",
];
