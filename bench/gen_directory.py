#!/usr/bin/env python3
"""Writes a synthetic sociale kaart as HSDS 3.0 JSON for the directory benchmark:
ORGS organisations with SERVICES_PER_ORG services each (default 1000 x 20 = 20,000),
Dutch names and descriptions built from word lists, our taxonomy codes as attributes,
service areas and locations around the demo municipality. Fixed seed: the same file on
every run.

    bench/gen_directory.py OUT.json [ORGS] [SERVICES_PER_ORG]
"""
import json
import random
import sys
import uuid

rng = random.Random(20261125)
out = sys.argv[1]
orgs_n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
per_org = int(sys.argv[3]) if len(sys.argv) > 3 else 20

def uid():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))

TOPICS = [
    ("Opvoedondersteuning", "opvoeding", "vragen over opvoeden, grenzen stellen en ritme"),
    ("Faalangsttraining", "psychisch", "kinderen die dichtklappen bij toetsen en spreekbeurten"),
    ("Huiswerkbegeleiding", "school", "plannen, leren leren en huiswerk maken"),
    ("Weerbaarheidstraining", "sociaal", "voor jezelf opkomen en omgaan met pesten"),
    ("Ouder-kindgroep", "opvoeding", "samen spelen en ervaringen delen met andere ouders"),
    ("Jongerencoaching", "sociaal", "jongeren die vastlopen met school, werk of vrienden"),
    ("Gezinsbegeleiding", "opvoeding", "gezinnen met meerdere problemen tegelijk"),
    ("Rouwverwerkingsgroep", "psychisch", "kinderen die iemand verloren"),
    ("Scheidingsspreekuur", "opvoeding", "ouders en kinderen rond een scheiding"),
    ("Slaapspreekuur", "lichamelijk", "baby's en peuters die slecht slapen"),
    ("Angstbehandeling", "psychisch", "kinderen met angst- en paniekklachten"),
    ("Autismebegeleiding", "ontwikkeling", "kinderen met autisme en hun ouders"),
    ("Dyslexiezorg", "school", "ernstige enkelvoudige dyslexie"),
    ("Schuldhulpmaatjes", "financien", "gezinnen met geldzorgen en schulden"),
    ("Vechtscheidingsaanpak", "veiligheid", "kinderen klem tussen ruziënde ouders"),
    ("Middelengebruik voorlichting", "verslaving", "jongeren die blowen of drinken"),
    ("Sportmaatje", "sociaal", "meedoen aan sport voor kinderen die dat lastig vinden"),
    ("Beweegprogramma", "lichamelijk", "kinderen met overgewicht en hun gezin"),
    ("Gedragstherapie", "gedrag", "driftbuien, agressie en grensoverschrijdend gedrag"),
    ("Logopedie", "ontwikkeling", "spraak- en taalontwikkeling"),
]
PLACES = ["Noord", "Zuid", "Oost", "West", "Centrum", "Dorpen", "Haven", "Park", "Molenwijk", "Bosrand"]
KINDS = ["Stichting", "Praktijk", "Centrum", "Coöperatie", "Jeugdzorg", "Welzijn"]
CATS = [("preventief", "vrij"), ("eigen_hulp", "via_sociaal_team"), ("specialistisch", "verwijzing")]

def term(code):
    return {"id": uid(), "taxonomy_term": {"id": uid(), "code": code, "name": code, "description": code}}

def attribute(code, value=None):
    a = term(code)
    if value is not None:
        a["value"] = str(value)
    return a

orgs = []
for o in range(orgs_n):
    oid = uid()
    place = rng.choice(PLACES)
    name = f"{rng.choice(KINDS)} {place} {o + 1}"
    pc = 9990 + rng.randrange(10)
    loc_id = uid()
    lat, lon = 52.10 + rng.uniform(-0.05, 0.05), 5.60 + rng.uniform(-0.08, 0.08)
    location = {
        "id": loc_id, "location_type": "physical", "organization_id": oid, "name": f"{name} hoofdlocatie",
        "latitude": round(lat, 6), "longitude": round(lon, 6),
        "addresses": [{"id": uid(), "location_id": loc_id, "address_1": f"Dorpsstraat {o + 1}", "city": "Voorbeeld",
                       "state_province": "", "postal_code": f"{pc} AB", "country": "NL", "address_type": "physical"}],
    }
    services = []
    for s in range(per_org):
        topic, area, what = rng.choice(TOPICS)
        cat, route = rng.choice(CATS)
        age_min = rng.choice([0, 2, 4, 6, 8, 12])
        age_max = min(age_min + rng.choice([4, 6, 10, 14]), 23)
        sid = uid()
        areas = []
        r = rng.random()
        if r < 0.5:
            areas.append({"id": uid(), "service_id": sid, "extent": "GM9999", "extent_type": "cbs_gemeente"})
        elif r < 0.8:
            areas.append({"id": uid(), "service_id": sid, "extent": f"WK99990{rng.randrange(1, 6)}", "extent_type": "cbs_wijk"})
        else:
            a = 9990 + rng.randrange(8)
            areas.append({"id": uid(), "service_id": sid, "extent": f"{a}-{a + 2}", "extent_type": "postcode_range"})
        attrs = [attribute(f"categorie:{cat}"), attribute(f"toegang:{route}"), attribute(f"probleemgebied:{area}"),
                 attribute("gegeven:wachttijd_weken", rng.randrange(0, 30)),
                 attribute("gegeven:wachttijd_gemeld", "2026-11-01")]
        services.append({
            "id": sid, "organization_id": oid, "name": f"{topic} {place} {s + 1}", "status": "active",
            "description": f"{topic} voor {what}. Aangeboden door {name} in {place}.",
            "minimum_age": age_min, "maximum_age": age_max, "assured_date": "2026-10-01",
            "service_areas": areas, "attributes": attrs,
            "service_at_locations": [{"id": uid(), "service_id": sid, "location_id": loc_id}],
        })
    orgs.append({
        "id": oid, "name": name, "description": f"{name}: jeugdhulp en welzijn in {place}.",
        "organization_identifiers": [{"id": uid(), "identifier_type": "gemeentecode", "identifier": "GM9999"}],
        "locations": [location], "services": services,
    })

with open(out, "w") as f:
    json.dump(orgs, f)
print(f"{orgs_n} organisations, {orgs_n * per_org} services written to {out}", file=sys.stderr)
