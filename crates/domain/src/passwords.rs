//! The password policy (NIST SP 800-63B, OWASP ASVS 4.0.3 V2.1): at least 12 characters,
//! no composition rules, and not easy to guess. "Easy to guess" is decided by zxcvbn, a
//! maintained estimator that knows some 30,000 passwords from public breaches, common
//! names, English words, keyboard walks, dates, repeats and l33t speak, and estimates
//! how many guesses a cracker needs. It knows little Dutch, so the Dutch words people
//! build passwords from are given to it as well, with the person's own name and address.

use crate::validate::ValidationError;

/// Words Dutch passwords are commonly built from: the word for password itself,
/// greetings, months and days, seasons, places, clubs, pets' and loved ones' words, and
/// this field's own vocabulary. Each is weighed as a dictionary word, so a password
/// that is mostly one of them (`wachtwoord12`) is refused.
const DUTCH_WORDS: &[&str] = &[
    "wachtwoord",
    "paswoord",
    "wachtwoorden",
    "geheim",
    "welkom",
    "welkom01",
    "hallo",
    "hoi",
    "doei",
    "dankjewel",
    "alsjeblieft",
    "liefde",
    "schat",
    "schatje",
    "lieverd",
    "mijnwachtwoord",
    "nieuwwachtwoord",
    "inloggen",
    "toegang",
    "beveiliging",
    "veilig",
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
    "lente",
    "voorjaar",
    "zomer",
    "herfst",
    "najaar",
    "winter",
    "kerst",
    "kerstmis",
    "pasen",
    "sinterklaas",
    "koningsdag",
    "nederland",
    "holland",
    "oranje",
    "amsterdam",
    "rotterdam",
    "utrecht",
    "denhaag",
    "eindhoven",
    "groningen",
    "tilburg",
    "almere",
    "breda",
    "nijmegen",
    "arnhem",
    "haarlem",
    "zwolle",
    "leiden",
    "maastricht",
    "ajax",
    "feyenoord",
    "psv",
    "voetbal",
    "hockey",
    "tennis",
    "fiets",
    "konijn",
    "poes",
    "kat",
    "hond",
    "paard",
    "vogel",
    "bloem",
    "tulp",
    "zonnetje",
    "regenboog",
    "prinses",
    "kabouter",
    "draak",
    "ridder",
    "kinderen",
    "familie",
    "moeder",
    "vader",
    "mama",
    "papa",
    "oma",
    "opa",
    "zoon",
    "dochter",
    "broer",
    "zus",
    "baby",
    "school",
    "werk",
    "kantoor",
    "thuis",
    "huisarts",
    "praktijk",
    "dokter",
    "zorg",
    "jeugdzorg",
    "jeugd",
    "gemeente",
    "wijkteam",
    "sociaalteam",
    "buurtteam",
    "consulent",
    "rondom",
    "voorbeeld",
    "qwerty",
    "azerty",
    "letmein",
    "wachtwoord1",
    "geheim123",
    "welkom123",
];

/// Refused below this zxcvbn score (0 to 4): 3 is "safely unguessable", some 10^10
/// guesses, beyond what an online guesser gets and costly offline against argon2id.
const MIN_SCORE: u8 = 3;

/// zxcvbn's work grows with the length; what comes after this many characters only
/// adds strength, so it need not be looked at.
const ESTIMATE_CHARS: usize = 100;

/// Checks a new password. `personal` holds what a guesser would try first for this
/// person: their name and e-mail address.
pub fn check_new_password(password: &str, personal: &[&str]) -> Result<(), ValidationError> {
    let chars = password.chars().count();
    if chars < 12 {
        return Err(ValidationError::new(
            "password",
            "Kies een wachtwoord van minstens 12 tekens. Een zin van een paar woorden werkt goed.",
        ));
    }
    if chars > 256 {
        return Err(ValidationError::new(
            "password",
            "Kies een wachtwoord van hoogstens 256 tekens.",
        ));
    }
    let mut inputs: Vec<String> = DUTCH_WORDS.iter().map(|w| (*w).to_owned()).collect();
    for p in personal {
        let lower = p.to_lowercase();
        // The parts of a name or an address are guessed one by one.
        inputs.extend(
            lower
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 3)
                .map(str::to_owned),
        );
        // ...and written together ("annekedevries").
        inputs.push(lower.chars().filter(|c| c.is_alphanumeric()).collect());
        inputs.push(lower);
    }
    let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let head: String = password.chars().take(ESTIMATE_CHARS).collect();
    let score = u8::from(zxcvbn::zxcvbn(&head, &refs).score());
    if score < MIN_SCORE {
        return Err(ValidationError::new(
            "password",
            "Dit wachtwoord is te makkelijk te raden. Kies een zin van een paar woorden die niet bij elkaar horen, zonder uw naam.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_counts_not_composition() {
        assert!(check_new_password("kort", &[]).is_err());
        assert!(
            check_new_password(&"lang ".repeat(60), &[]).is_err(),
            "over 256"
        );
        assert!(check_new_password("paard batterij nietje", &[]).is_ok());
        assert!(check_new_password("fiets onder de brug bij nacht", &[]).is_ok());
    }

    #[test]
    fn passwords_everybody_tries_are_refused() {
        for weak in [
            "wachtwoord12",
            "wachtwoord123",
            "Wachtwoord2026!",
            "welkom123456",
            "password1234",
            "qwertyuiop12",
            "123456789012",
            "aaaaaaaaaaaaaaa",
            "abcdefghijkl",
            "januari20262026",
            "Feyenoord1908!",
            "iloveyou1234",
        ] {
            assert!(check_new_password(weak, &[]).is_err(), "{weak}");
        }
    }

    #[test]
    fn the_person_s_own_name_does_not_make_a_password() {
        assert!(
            check_new_password("annekedevries1", &["Anneke de Vries", "anneke@praktijk.nl"])
                .is_err()
        );
    }

    #[test]
    fn an_address_is_weak_only_as_the_person_s_own() {
        let own = "vergeetachtig@test.example";
        assert!(check_new_password(own, &[]).is_ok(), "a stranger's address");
        assert!(check_new_password(own, &["Vergeetachtig", own]).is_err());
    }
}
