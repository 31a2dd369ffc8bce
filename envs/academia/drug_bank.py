"""DrugBank: a drug knowledge base (drugs, brands, categories, indications, interactions with severities, packaged
products with NDC codes and barcodes) and the user's personal medication list with interaction warnings."""

from __future__ import annotations

import difflib
import random
import re
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

# name, category, indications, brands, (groups: approved unless "withdrawn"), dosage form
DRUGS = [
    ("Atorvastatin", "HMG-CoA reductase inhibitor", ["Hyperlipidemia", "Coronary artery disease"], ["Lipitor"],
     "tablet"),
    ("Simvastatin", "HMG-CoA reductase inhibitor", ["Hyperlipidemia"], ["Zocor"], "tablet"),
    ("Cerivastatin", "HMG-CoA reductase inhibitor", ["Hyperlipidemia"], ["Baycol"], "withdrawn tablet"),
    ("Lisinopril", "ACE inhibitor", ["Hypertension", "Heart failure"], ["Zestril", "Prinivil"], "tablet"),
    ("Losartan", "Angiotensin II receptor blocker", ["Hypertension", "Diabetic nephropathy"], ["Cozaar"], "tablet"),
    ("Amlodipine", "Calcium channel blocker", ["Hypertension", "Angina pectoris"], ["Norvasc"], "tablet"),
    ("Metoprolol", "Beta blocker", ["Hypertension", "Angina pectoris", "Heart failure"], ["Lopressor", "Toprol-XL"],
     "tablet"),
    ("Hydrochlorothiazide", "Thiazide diuretic", ["Hypertension", "Edema"], ["Microzide"], "capsule"),
    ("Furosemide", "Loop diuretic", ["Edema", "Heart failure"], ["Lasix"], "tablet"),
    ("Spironolactone", "Potassium-sparing diuretic", ["Heart failure", "Hypertension"], ["Aldactone"], "tablet"),
    ("Warfarin", "Vitamin K antagonist", ["Atrial fibrillation", "Deep vein thrombosis"], ["Coumadin", "Jantoven"],
     "tablet"),
    ("Apixaban", "Factor Xa inhibitor", ["Atrial fibrillation", "Deep vein thrombosis"], ["Eliquis"], "tablet"),
    ("Clopidogrel", "P2Y12 inhibitor", ["Coronary artery disease", "Stroke prevention"], ["Plavix"], "tablet"),
    ("Aspirin", "Nonsteroidal anti-inflammatory drug", ["Pain", "Fever", "Stroke prevention"], ["Bayer", "Ecotrin"],
     "tablet"),
    ("Ibuprofen", "Nonsteroidal anti-inflammatory drug", ["Pain", "Fever", "Osteoarthritis"], ["Advil", "Motrin"],
     "tablet"),
    ("Naproxen", "Nonsteroidal anti-inflammatory drug", ["Pain", "Osteoarthritis", "Rheumatoid arthritis"],
     ["Aleve", "Naprosyn"], "tablet"),
    ("Rofecoxib", "COX-2 inhibitor", ["Osteoarthritis", "Pain"], ["Vioxx"], "withdrawn tablet"),
    ("Acetaminophen", "Analgesic", ["Pain", "Fever"], ["Tylenol"], "tablet"),
    ("Metformin", "Biguanide", ["Type 2 diabetes"], ["Glucophage"], "tablet"),
    ("Glipizide", "Sulfonylurea", ["Type 2 diabetes"], ["Glucotrol"], "tablet"),
    ("Sitagliptin", "DPP-4 inhibitor", ["Type 2 diabetes"], ["Januvia"], "tablet"),
    ("Empagliflozin", "SGLT2 inhibitor", ["Type 2 diabetes", "Heart failure"], ["Jardiance"], "tablet"),
    ("Insulin glargine", "Long-acting insulin", ["Type 1 diabetes", "Type 2 diabetes"], ["Lantus", "Toujeo"],
     "injection"),
    ("Levothyroxine", "Thyroid hormone", ["Hypothyroidism"], ["Synthroid", "Levoxyl"], "tablet"),
    ("Omeprazole", "Proton pump inhibitor", ["Gastroesophageal reflux disease", "Peptic ulcer"], ["Prilosec"],
     "capsule"),
    ("Pantoprazole", "Proton pump inhibitor", ["Gastroesophageal reflux disease"], ["Protonix"], "tablet"),
    ("Sertraline", "Selective serotonin reuptake inhibitor", ["Depression", "Anxiety disorder"], ["Zoloft"], "tablet"),
    ("Fluoxetine", "Selective serotonin reuptake inhibitor", ["Depression", "Obsessive-compulsive disorder"],
     ["Prozac"], "capsule"),
    ("Escitalopram", "Selective serotonin reuptake inhibitor", ["Depression", "Anxiety disorder"], ["Lexapro"],
     "tablet"),
    ("Bupropion", "Norepinephrine-dopamine reuptake inhibitor", ["Depression", "Smoking cessation"],
     ["Wellbutrin", "Zyban"], "tablet"),
    ("Tramadol", "Opioid analgesic", ["Pain"], ["Ultram"], "tablet"),
    ("Oxycodone", "Opioid analgesic", ["Pain"], ["OxyContin", "Roxicodone"], "tablet"),
    ("Gabapentin", "Anticonvulsant", ["Epilepsy", "Neuropathic pain"], ["Neurontin"], "capsule"),
    ("Alprazolam", "Benzodiazepine", ["Anxiety disorder", "Panic disorder"], ["Xanax"], "tablet"),
    ("Zolpidem", "Sedative-hypnotic", ["Insomnia"], ["Ambien"], "tablet"),
    ("Amoxicillin", "Penicillin antibiotic", ["Bacterial infection", "Otitis media"], ["Amoxil"], "capsule"),
    ("Azithromycin", "Macrolide antibiotic", ["Bacterial infection", "Pneumonia"], ["Zithromax"], "tablet"),
    ("Clarithromycin", "Macrolide antibiotic", ["Bacterial infection", "Peptic ulcer"], ["Biaxin"], "tablet"),
    ("Ciprofloxacin", "Fluoroquinolone antibiotic", ["Urinary tract infection", "Bacterial infection"], ["Cipro"],
     "tablet"),
    ("Fluconazole", "Azole antifungal", ["Candidiasis"], ["Diflucan"], "tablet"),
    ("Prednisone", "Corticosteroid", ["Asthma", "Rheumatoid arthritis"], ["Deltasone", "Rayos"], "tablet"),
    ("Montelukast", "Leukotriene receptor antagonist", ["Asthma", "Allergic rhinitis"], ["Singulair"], "tablet"),
    ("Albuterol", "Beta-2 agonist", ["Asthma", "Chronic obstructive pulmonary disease"], ["ProAir", "Ventolin"],
     "inhaler"),
    ("Cetirizine", "Antihistamine", ["Allergic rhinitis", "Urticaria"], ["Zyrtec"], "tablet"),
    ("Loratadine", "Antihistamine", ["Allergic rhinitis"], ["Claritin"], "tablet"),
    ("Sildenafil", "PDE5 inhibitor", ["Erectile dysfunction", "Pulmonary hypertension"], ["Viagra", "Revatio"],
     "tablet"),
    ("Nitroglycerin", "Nitrate vasodilator", ["Angina pectoris"], ["Nitrostat"], "sublingual tablet"),
    ("Allopurinol", "Xanthine oxidase inhibitor", ["Gout"], ["Zyloprim"], "tablet"),
    ("Methotrexate", "Antimetabolite", ["Rheumatoid arthritis", "Psoriasis"], ["Trexall", "Otrexup"], "tablet"),
    ("Adalimumab", "TNF inhibitor", ["Rheumatoid arthritis", "Psoriasis", "Crohn's disease"], ["Humira"],
     "injection"),
    ("Lithium", "Mood stabilizer", ["Bipolar disorder"], ["Lithobid"], "capsule"),
    ("Digoxin", "Cardiac glycoside", ["Heart failure", "Atrial fibrillation"], ["Lanoxin"], "tablet"),
    ("Amiodarone", "Antiarrhythmic", ["Atrial fibrillation", "Ventricular arrhythmia"], ["Pacerone"], "tablet"),
]
KNOWN = [  # (drug, drug, severity, effect)
    ("Warfarin", "Aspirin", "major", "raises the risk of serious bleeding"),
    ("Warfarin", "Ibuprofen", "major", "raises the risk of gastrointestinal bleeding"),
    ("Warfarin", "Fluconazole", "major", "increases warfarin levels and the INR"),
    ("Warfarin", "Amiodarone", "major", "increases warfarin levels and the INR"),
    ("Simvastatin", "Clarithromycin", "major", "raises simvastatin levels and the risk of rhabdomyolysis"),
    ("Sildenafil", "Nitroglycerin", "major", "can cause severe hypotension"),
    ("Sertraline", "Tramadol", "major", "raises the risk of serotonin syndrome and seizures"),
    ("Fluoxetine", "Tramadol", "major", "raises the risk of serotonin syndrome and seizures"),
    ("Alprazolam", "Oxycodone", "major", "can cause profound sedation and respiratory depression"),
    ("Zolpidem", "Oxycodone", "major", "can cause profound sedation and respiratory depression"),
    ("Lithium", "Hydrochlorothiazide", "major", "reduces lithium clearance and may cause lithium toxicity"),
    ("Digoxin", "Amiodarone", "major", "increases digoxin levels"),
    ("Methotrexate", "Naproxen", "major", "reduces methotrexate clearance"),
    ("Lisinopril", "Spironolactone", "moderate", "may cause hyperkalemia"),
    ("Clopidogrel", "Omeprazole", "moderate", "reduces the antiplatelet effect of clopidogrel"),
    ("Lithium", "Ibuprofen", "moderate", "increases lithium levels"),
    ("Metformin", "Ciprofloxacin", "moderate", "may cause swings in blood glucose"),
    ("Levothyroxine", "Omeprazole", "minor", "may reduce levothyroxine absorption"),
    ("Aspirin", "Ibuprofen", "moderate", "may reduce the cardioprotective effect of aspirin"),
    ("Amlodipine", "Simvastatin", "moderate", "increases simvastatin exposure"),
]
EFFECTS = ["may increase the serum concentration of {b}", "may decrease the therapeutic efficacy of {b}",
           "may increase the risk of adverse effects of {b}", "may slightly delay the absorption of {b}"]
MAKERS = ["Pfizer", "Teva Pharmaceuticals", "Mylan", "Sandoz", "Aurobindo Pharma", "Lupin", "Merck Sharp & Dohme",
          "Bayer HealthCare", "Johnson & Johnson", "Apotex", "Cipla USA", "Zydus Pharmaceuticals"]
STRENGTHS = {"tablet": ["5 mg", "10 mg", "20 mg", "40 mg", "100 mg", "500 mg"], "capsule": ["25 mg", "50 mg",
             "250 mg", "300 mg"], "injection": ["100 units/mL", "40 mg/0.8 mL"], "inhaler": ["90 mcg/actuation"],
             "sublingual tablet": ["0.4 mg"]}
RANK = {"none": 0, "minor": 1, "moderate": 2, "major": 3}
MAX_MEDICATIONS = 30
DrugbankId = Annotated[str, Field(pattern=r"^DB\d{5}$")]

DrugSummary = TypedDict("DrugSummary", {"drugbank_id": str, "name": str, "brands": list[str], "category": str,
                                        "groups": str})
Drugs = TypedDict("Drugs", {"drugs": list[DrugSummary]})
Details = TypedDict("Details", {
    "drugbank_id": str, "name": str, "description": str, "category": str, "groups": str, "brands": list[str],
    "mechanism_of_action": str, "pharmacodynamics": str, "absorption": str, "metabolism": str,
    "indications": list[str], "contraindications": list[str], "dosage_forms": list[str], "side_effects": list[str],
    "pregnancy_category": str})
Interaction = TypedDict("Interaction", {"drug_a": str, "drug_b": str, "severity": str, "description": str})
Interactions = TypedDict("Interactions", {"interactions": list[Interaction], "interaction_count": int,
                                          "highest_severity": str})
ForCondition = TypedDict("ForCondition", {"drugbank_id": str, "name": str, "category": str, "condition": str})
ConditionDrugs = TypedDict("ConditionDrugs", {"drugs": list[ForCondition]})
Product = TypedDict("Product", {"drugbank_id": str, "ndc_code": str, "barcode": str, "product_name": str,
                                "manufacturer": str, "active_ingredients": list[str], "dosage_strength": str,
                                "packaging": str, "approved": bool})
Medication = TypedDict("Medication", {"drugbank_id": str, "name": str, "dosage": str, "added_at": str})
MedicationList = TypedDict("MedicationList", {"medications": list[Medication], "interactions": list[Interaction],
                                              "highest_severity": str})
Added = TypedDict("Added", {"medication": Medication, "warnings": list[Interaction]})
Removed = TypedDict("Removed", {"removed": str, "remaining": int})


def upc(ndc: str) -> str:
    """The UPC-A barcode of a 10-digit NDC (number system 3 plus a check digit)."""
    digits = "3" + ndc.replace("-", "")
    odd = sum(int(d) for d in digits[0::2])
    return digits + str((10 - (odd * 3 + sum(int(d) for d in digits[1::2])) % 10) % 10)


#: The interactions of a drug (?1) with itself or a drug on the medication list, as _interactions orders them.
_WARNINGS = ("SELECT a.name AS drug_a, b.name AS drug_b, i.severity, i.description FROM interactions i"
             " JOIN drugs a ON a.drugbank_id = i.drug_a JOIN drugs b ON b.drugbank_id = i.drug_b"
             " WHERE (i.drug_a = ?1 AND (i.drug_b = ?1 OR i.drug_b IN (SELECT drugbank_id FROM medications)))"
             " OR (i.drug_b = ?1 AND (i.drug_a = ?1 OR i.drug_a IN (SELECT drugbank_id FROM medications)))"
             " ORDER BY CASE i.severity WHEN 'major' THEN 0 WHEN 'moderate' THEN 1 ELSE 2 END, a.name, b.name")


class DrugBank(World):
    """DrugBank: drugs with DrugBank ids (DB01234), brand names, categories, indications, pharmacology and
    interactions (minor, moderate, major); packaged products by NDC code or the UPC barcode on the box; and the
    user's personal medication list (at most 30), where adding a drug with a major interaction needs an explicit
    acknowledgement."""

    schema = """
    CREATE TABLE drugs (drugbank_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, category TEXT NOT NULL,
                        groups TEXT NOT NULL, description TEXT NOT NULL, mechanism_of_action TEXT NOT NULL,
                        pharmacodynamics TEXT NOT NULL, absorption TEXT NOT NULL, metabolism TEXT NOT NULL,
                        dosage_form TEXT NOT NULL, side_effects TEXT NOT NULL, contraindications TEXT NOT NULL,
                        pregnancy_category TEXT NOT NULL);
    CREATE TABLE brands (brand TEXT PRIMARY KEY COLLATE NOCASE, drugbank_id TEXT NOT NULL REFERENCES drugs);
    CREATE INDEX brands_by_drug ON brands (drugbank_id);
    CREATE TABLE indications (drugbank_id TEXT NOT NULL REFERENCES drugs, condition TEXT NOT NULL,
                              PRIMARY KEY (drugbank_id, condition));
    CREATE TABLE interactions (drug_a TEXT NOT NULL REFERENCES drugs, drug_b TEXT NOT NULL REFERENCES drugs,
                               severity TEXT NOT NULL, description TEXT NOT NULL, PRIMARY KEY (drug_a, drug_b));
    CREATE TABLE products (ndc_code TEXT PRIMARY KEY, barcode TEXT NOT NULL UNIQUE, drugbank_id TEXT NOT NULL
                           REFERENCES drugs, product_name TEXT NOT NULL, manufacturer TEXT NOT NULL,
                           dosage_strength TEXT NOT NULL, packaging TEXT NOT NULL, approved INTEGER NOT NULL);
    CREATE TABLE medications (drugbank_id TEXT PRIMARY KEY REFERENCES drugs, dosage TEXT NOT NULL,
                              added_at TEXT NOT NULL);
    """
    text_search = {"drugs": ("name",), "brands": ("brand",), "indications": ("condition",)}
    volatile = {"medications": ("added_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        ids = rng.sample(range(100, 16000), len(DRUGS))
        drugs, brands, indications, products, by_name = [], [], [], [], {}
        for (name, category, conditions, names, form), number in zip(DRUGS, ids, strict=True):
            drug_id, form = f"DB{number:05d}", form.removeprefix("withdrawn ")
            by_name[name] = drug_id
            side = rng.sample(["Headache", "Nausea", "Dizziness", "Fatigue", "Diarrhea", "Rash", "Insomnia",
                               "Dry mouth", "Constipation", "Abdominal pain"], 3)
            drugs.append({
                "drugbank_id": drug_id, "name": name, "category": category,
                "groups": "withdrawn" if name in ("Cerivastatin", "Rofecoxib") else "approved",
                "description": f"{name} ({category}) is indicated for {' and '.join(conditions)}.",
                "mechanism_of_action": f"{name} acts as a {category[0].lower() + category[1:]}, "
                                       f"{rng.choice(['binding its target receptor', 'blocking its target enzyme'])}.",
                "pharmacodynamics": f"Onset within {rng.randrange(1, 6)} hours; effect lasts about "
                                    f"{rng.choice([8, 12, 24, 36])} hours.",
                "absorption": f"Oral bioavailability about {rng.randrange(10, 99)}%." if form != "injection"
                              else "Absorbed slowly from the subcutaneous depot.",
                "metabolism": rng.choice(["Hepatic, mainly CYP3A4.", "Hepatic, CYP2C9 and CYP2C19.",
                                          "Largely excreted unchanged by the kidneys.", "Hepatic glucuronidation."]),
                "dosage_form": form, "side_effects": "|".join(side),
                "contraindications": "|".join(rng.sample(["Hypersensitivity", "Pregnancy", "Severe hepatic impairment",
                                                          "Severe renal impairment", "Children under 12"], 2)),
                "pregnancy_category": rng.choice("ABCCDX")})
            brands += [{"brand": b, "drugbank_id": drug_id} for b in names]
            indications += [{"drugbank_id": drug_id, "condition": c} for c in conditions]
            for brand in [*names, None][: rng.randrange(1, len(names) + 2)]:
                ndc = f"{rng.randrange(10000):04d}-{rng.randrange(1000):04d}-{rng.randrange(100):02d}"
                strength, count = rng.choice(STRENGTHS[form]), rng.choice([30, 60, 90, 100])
                products.append({
                    "ndc_code": ndc, "barcode": upc(ndc), "drugbank_id": drug_id, "dosage_strength": strength,
                    "product_name": f"{brand or name} {strength} {form}", "packaging": f"bottle of {count} {form}s"
                    if form in ("tablet", "capsule") else f"carton of 1 {form}",
                    "manufacturer": "Pfizer" if brand in ("Lipitor", "Viagra", "Zoloft") else rng.choice(MAKERS),
                    "approved": int(name not in ("Cerivastatin", "Rofecoxib"))})
        pairs = {(by_name[a], by_name[b]): (s, e) for a, b, s, e in KNOWN}
        while len(pairs) < 90:
            a, b = rng.sample(sorted(by_name), 2)
            if (by_name[a], by_name[b]) not in pairs and (by_name[b], by_name[a]) not in pairs:
                pairs[by_name[a], by_name[b]] = (rng.choice(["minor", "moderate", "moderate"]),
                                                 rng.choice(EFFECTS).format(b=b.lower()))
        db["drugs"].insert_all(drugs)
        db["brands"].insert_all(brands)
        db["indications"].insert_all(indications)
        db["interactions"].insert_all({"drug_a": a, "drug_b": b, "severity": s, "description": e}
                                      for (a, b), (s, e) in pairs.items())
        db["products"].insert_all(products, ignore=True)
        mine = ["Metformin", "Lisinopril", "Atorvastatin", "Levothyroxine", "Sertraline", "Omeprazole", "Warfarin"]
        db["medications"].insert_all({"drugbank_id": by_name[n], "dosage": rng.choice(["10 mg once daily",
                                      "20 mg at bedtime", "500 mg twice daily", "1 tablet each morning"]),
                                      "added_at": f"{cls.days_before_start(rng, 5, 400)}T08:00"}
                                     for n in rng.sample(mine, 4))

    # ------------------------------------------------------------------ helpers
    def _drug(self, drugbank_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM drugs WHERE drugbank_id = ?", drugbank_id, error=(
            f"no drug with DrugBank id '{drugbank_id}'; search_drugs finds a drug's id by name or brand"))

    def _resolve(self, name: str) -> dict[str, Any]:
        """A drug by DrugBank id, generic name or brand name."""
        text = name.strip()
        drug = self.row("SELECT * FROM drugs WHERE drugbank_id = ?1 OR name = ?1 OR drugbank_id = (SELECT drugbank_id"
                        " FROM brands WHERE brand = ?1)", text)
        if drug is None:
            raise ToolError(f"no drug named '{text}'; search_drugs finds drugs by partial or misspelled names")
        return drug

    def _brands(self, drugbank_id: str) -> list[str]:
        return [r["brand"] for r in self.rows("SELECT brand FROM brands WHERE drugbank_id = ? ORDER BY brand",
                                              drugbank_id)]

    def _interactions(self, drug_ids: list[str]) -> list[Interaction]:
        marks = ",".join("?" * len(drug_ids))
        return self.rows(f"SELECT a.name AS drug_a, b.name AS drug_b, i.severity, i.description FROM interactions i"
                         f" JOIN drugs a ON a.drugbank_id = i.drug_a JOIN drugs b ON b.drugbank_id = i.drug_b"
                         f" WHERE i.drug_a IN ({marks}) AND i.drug_b IN ({marks}) ORDER BY CASE i.severity WHEN"
                         f" 'major' THEN 0 WHEN 'moderate' THEN 1 ELSE 2 END, a.name, b.name", *drug_ids, *drug_ids)

    def _medications(self) -> list[Medication]:
        return self.rows("SELECT m.drugbank_id, d.name, m.dosage, m.added_at FROM medications m JOIN drugs d"
                         " USING (drugbank_id) ORDER BY d.name")

    @staticmethod
    def _highest(found: list[Interaction]) -> str:
        return max((i["severity"] for i in found), key=RANK.get, default="none")

    # -------------------------------------------------------------------- tools
    @tool(phrase=["look up the drug {query}", "find {query} in the drug database",
                  "search the drug database for names containing {query}"])
    def search_drugs(self, query: NonEmptyStr, fuzzy: bool = False,
                     limit: Annotated[int, Field(ge=1, le=50)] = 10) -> Drugs:
        """Find drugs whose generic or brand name contains the query; fuzzy also matches misspelled names.

        Args:
            query: Part of a generic or brand name, e.g. "statin" or "Lipitor".
            fuzzy: Also return close spellings ("metformine" finds Metformin).
            limit: At most this many drugs.
        """
        text = query.strip()
        (names, name_params), (brands, brand_params) = self.text_filter("drugs", text), self.text_filter("brands", text)
        ids = [r["drugbank_id"] for r in self.rows(
            f"SELECT drugbank_id FROM drugs WHERE {names} OR drugbank_id IN (SELECT drugbank_id FROM brands WHERE"
            f" {brands}) ORDER BY name", *name_params, *brand_params)]
        if fuzzy:
            names = {r["name"].lower(): r["drugbank_id"] for r in self.rows(
                "SELECT name, drugbank_id FROM drugs UNION ALL SELECT brand, drugbank_id FROM brands")}
            ids += [names[n] for n in difflib.get_close_matches(text.lower(), sorted(names), n=5, cutoff=0.75)
                    if names[n] not in ids]
        return {"drugs": [{**{k: v for k, v in self._drug(i).items() if k in ("drugbank_id", "name", "category",
                           "groups")}, "brands": self._brands(i)} for i in ids[:limit]]}

    @tool(phrase=["pull up the full monograph of {drugbank_id}", "tell me everything about {drugbank_id}"])
    def get_drug_details(self, drugbank_id: DrugbankId) -> Details:
        """A drug's monograph: description, pharmacology, indications, contraindications, forms, side effects.

        Args:
            drugbank_id: The DrugBank id, e.g. DB00945.
        """
        drug = self._drug(drugbank_id)
        conditions = [r["condition"] for r in self.rows(
            "SELECT condition FROM indications WHERE drugbank_id = ? ORDER BY condition", drugbank_id)]
        return {**{k: drug[k] for k in ("drugbank_id", "name", "description", "category", "groups",
                                        "mechanism_of_action", "pharmacodynamics", "absorption", "metabolism",
                                        "pregnancy_category")},
                "brands": self._brands(drugbank_id), "indications": conditions,
                "contraindications": drug["contraindications"].split("|"), "dosage_forms": [drug["dosage_form"]],
                "side_effects": drug["side_effects"].split("|")}

    @tool(phrase=["check whether {drugs} interact", "tell me if it is safe to take {drugs} together"])
    def check_drug_interactions(self, drugs: Annotated[list[NonEmptyStr], Field(min_length=2, max_length=10)]
                                ) -> Interactions:
        """Known interactions among 2-10 drugs, given by generic name, brand name or DrugBank id; most severe first.

        Args:
            drugs: The drugs to check against each other.
        """
        ids = list(dict.fromkeys(self._resolve(d)["drugbank_id"] for d in drugs))
        if len(ids) < 2:
            raise ToolError("name at least two different drugs (a brand and its generic are the same drug)")
        found = self._interactions(ids)
        return {"interactions": found, "interaction_count": len(found), "highest_severity": self._highest(found)}

    @tool(phrase=["find drugs that treat {condition}", "list the medicines indicated for {condition}"])
    def search_by_condition(self, condition: NonEmptyStr) -> ConditionDrugs:
        """Drugs indicated for a condition (matched on part of its name), approved ones first.

        Args:
            condition: The condition, e.g. "hypertension".
        """
        matches, params = self.text_filter("indications", condition)
        return {"drugs": self.rows(
            "SELECT d.drugbank_id, d.name, d.category, indications.condition FROM indications JOIN drugs d USING"
            f" (drugbank_id) WHERE {matches} ORDER BY d.groups, d.name, indications.condition", *params)}

    @tool(phrase=["identify the medicine with barcode {barcode}", "scan the package with code {barcode}"])
    def get_drug_by_barcode(self, barcode: Annotated[str, UserKnown, Field(pattern=r"^(\d{12}|\d{4}-\d{4}-\d{2})$")]
                            ) -> Product:
        """The packaged product with a UPC barcode (12 digits) or NDC code (4-4-2 digits), and its ingredient.

        Args:
            barcode: The 12-digit barcode on the box, or the NDC code such as 0071-0155-23.
        """
        product = self.require("SELECT * FROM products WHERE barcode = ?1 OR ndc_code = ?1", barcode, error=(
            f"no product with barcode or NDC code '{barcode}'; check the digits on the package"))
        return {**{k: product[k] for k in ("drugbank_id", "ndc_code", "barcode", "product_name", "manufacturer",
                                           "dosage_strength", "packaging")},
                "active_ingredients": [self._drug(product["drugbank_id"])["name"]],
                "approved": bool(product["approved"])}

    @tool(phrase=["show my medication list", "check my medications for interactions"])
    def list_medications(self) -> MedicationList:
        """The user's medication list with the interactions among its drugs."""
        meds = self._medications()
        found = self._interactions([m["drugbank_id"] for m in meds])
        return {"medications": meds, "interactions": found, "highest_severity": self._highest(found)}

    @tool(writes=True, phrase=["add {drugbank_id} to my medication list[ at {dosage}]",
                               "put {drugbank_id} on my medication list[, dosage {dosage}]",
                               "add {drugbank_id} to my medications even though it interacts ({acknowledge_major})"])
    def add_medication(self, drugbank_id: DrugbankId, dosage: Annotated[str, Field(max_length=80)] = "",
                       acknowledge_major: bool = False) -> Added:
        """Add a drug to the user's medication list; the result warns of interactions with drugs already on it.
        A major interaction is refused unless acknowledge_major is true; withdrawn drugs cannot be added.

        Args:
            drugbank_id: The DrugBank id of the drug.
            dosage: How the user takes it, e.g. "10 mg once daily".
            acknowledge_major: Add it even though it has a major interaction with a listed drug.
        """
        # The drug, whether it is listed already and the list's length, in one query.
        drug = self.row("SELECT name, groups, EXISTS (SELECT 1 FROM medications m WHERE m.drugbank_id = "
                        "drugs.drugbank_id) AS _listed, (SELECT COUNT(*) FROM medications) AS _count "
                        "FROM drugs WHERE drugbank_id = ?", drugbank_id)
        if drug is None:
            self._drug(drugbank_id)
        if drug["groups"] == "withdrawn":
            raise ToolError(f"{drug['name']} has been withdrawn from the market and cannot be added")
        if drug["_listed"]:
            raise ToolError(f"{drug['name']} is already on your medication list; remove it first to change it")
        if drug["_count"] >= MAX_MEDICATIONS:
            raise ToolError(f"your medication list already has {MAX_MEDICATIONS} drugs, the most allowed")
        # The interactions among this drug and the listed ones that involve this drug (names are unique).
        warnings = self.rows(_WARNINGS, drugbank_id)
        major = [f"{w['drug_a']} + {w['drug_b']}" for w in warnings if w["severity"] == "major"]
        if major and not acknowledge_major:
            raise ToolError(f"{drug['name']} has a major interaction ({', '.join(major)}); ask the user and call"
                            " again with acknowledge_major=true to add it anyway")
        medication = {"drugbank_id": drugbank_id, "name": drug["name"],
                      "dosage": re.sub(r"\s+", " ", dosage).strip(),
                      "added_at": self.now().isoformat(timespec="minutes")}
        self.execute("INSERT INTO medications VALUES (?, ?, ?)", drugbank_id, medication["dosage"],
                     medication["added_at"])
        return {"medication": medication, "warnings": warnings}  # type: ignore[typeddict-item]

    @tool(writes=True, phrase=["take {drugbank_id} off my medication list", "remove {drugbank_id} from my medications",
                               "drop {drugbank_id} from my medication list, I no longer take it"])
    def remove_medication(self, drugbank_id: DrugbankId) -> Removed:
        """Remove a drug from the user's medication list.

        Args:
            drugbank_id: The DrugBank id of the drug.
        """
        drug = self.row("SELECT name, (SELECT COUNT(*) FROM medications) AS listed FROM drugs WHERE drugbank_id = ?",
                        drugbank_id)
        if drug is None:
            self._drug(drugbank_id)
        if not self.execute("DELETE FROM medications WHERE drugbank_id = ?", drugbank_id):
            raise ToolError(f"{drug['name']} is not on your medication list; list_medications shows it")
        return {"removed": drug["name"], "remaining": drug["listed"] - 1}
