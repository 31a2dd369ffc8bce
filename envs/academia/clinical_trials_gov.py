"""ClinicalTrialsGov: a registry of clinical studies (NCT ids, conditions, interventions, phases, statuses, sponsors,
sites, posted results) and the signed-in user's list of saved studies."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import ToolError, tool
from envfactory_gym.core.world import World, like_pattern

# condition -> (interventions, primary outcome, unit, adverse events)
CONDITIONS = {
    "Type 2 Diabetes": (["Metformin", "Empagliflozin", "Semaglutide", "Sitagliptin", "Tirzepatide"],
                        "Change From Baseline in HbA1c", "percent", ["Nausea", "Hypoglycaemia", "Diarrhoea"]),
    "Hypertension": (["Amlodipine", "Losartan", "Lisinopril", "Chlorthalidone", "Low-Sodium Diet Program"],
                     "Change in Mean Seated Systolic Blood Pressure", "mmHg", ["Dizziness", "Headache", "Cough"]),
    "Breast Cancer": (["Trastuzumab", "Palbociclib", "Pembrolizumab", "Letrozole"], "Progression-Free Survival",
                      "months", ["Neutropenia", "Fatigue", "Alopecia"]),
    "Non-Small Cell Lung Cancer": (["Osimertinib", "Pembrolizumab", "Durvalumab", "Carboplatin"],
                                   "Overall Survival", "months", ["Anaemia", "Pneumonitis", "Fatigue"]),
    "Alzheimer Disease": (["Lecanemab", "Donanemab", "Donepezil", "Aerobic Exercise Training"],
                          "Change From Baseline in CDR-SB Score", "points", ["Headache", "Falls", "ARIA-E"]),
    "Major Depressive Disorder": (["Sertraline", "Esketamine", "Escitalopram", "Cognitive Behavioral Therapy"],
                                  "Change in MADRS Total Score", "points", ["Nausea", "Insomnia", "Dizziness"]),
    "Asthma": (["Dupilumab", "Montelukast", "Budesonide/Formoterol", "Tezepelumab"],
               "Annualized Rate of Severe Exacerbations", "events per year", ["Nasopharyngitis", "Headache"]),
    "Rheumatoid Arthritis": (["Adalimumab", "Methotrexate", "Upadacitinib", "Tofacitinib"],
                             "Percentage of Participants Achieving ACR20", "percent of participants",
                             ["Upper Respiratory Infection", "Nausea", "Elevated ALT"]),
    "Heart Failure": (["Sacubitril/Valsartan", "Dapagliflozin", "Spironolactone", "Remote Monitoring Device"],
                      "Time to Cardiovascular Death or HF Hospitalization", "months", ["Hypotension", "Hyperkalaemia"]),
    "Migraine": (["Erenumab", "Rimegepant", "Topiramate", "Fremanezumab"], "Change in Monthly Migraine Days",
                 "days", ["Injection Site Pain", "Constipation", "Fatigue"]),
    "Parkinson Disease": (["Levodopa/Carbidopa", "Prasinezumab", "Deep Brain Stimulation", "Tai Chi Program"],
                          "Change in MDS-UPDRS Part III Score", "points", ["Dyskinesia", "Nausea", "Falls"]),
    "Chronic Kidney Disease": (["Finerenone", "Dapagliflozin", "Losartan", "Plant-Based Diet Counseling"],
                               "Change in eGFR", "mL/min/1.73m2", ["Hyperkalaemia", "Hypotension"]),
    "Obesity": (["Semaglutide", "Tirzepatide", "Orlistat", "Intensive Lifestyle Intervention"],
                "Percent Change in Body Weight", "percent", ["Nausea", "Vomiting", "Constipation"]),
    "Psoriasis": (["Secukinumab", "Guselkumab", "Methotrexate", "Deucravacitinib"],
                  "Percentage of Participants Achieving PASI 75", "percent of participants",
                  ["Nasopharyngitis", "Injection Site Reaction"]),
}
NON_DRUG = {"Program": "BEHAVIORAL", "Training": "BEHAVIORAL", "Therapy": "BEHAVIORAL", "Counseling": "BEHAVIORAL",
            "Intervention": "BEHAVIORAL", "Device": "DEVICE", "Stimulation": "DEVICE"}
BIOLOGICS = ("mab", "cept")
SPONSORS = [("Pfizer", "INDUSTRY"), ("Novartis Pharmaceuticals", "INDUSTRY"), ("AstraZeneca", "INDUSTRY"),
            ("Eli Lilly and Company", "INDUSTRY"), ("Merck Sharp & Dohme LLC", "INDUSTRY"), ("Novo Nordisk A/S",
            "INDUSTRY"), ("Genentech, Inc.", "INDUSTRY"), ("Boehringer Ingelheim", "INDUSTRY"),
            ("Mayo Clinic", "OTHER"), ("Duke University", "OTHER"), ("Massachusetts General Hospital", "OTHER"),
            ("University of California, San Francisco", "OTHER"), ("Karolinska Institutet", "OTHER"),
            ("National Cancer Institute (NCI)", "NIH"), ("National Institute on Aging (NIA)", "NIH")]
PLACES = [("Boston", "Massachusetts", "United States"), ("Houston", "Texas", "United States"),
          ("Rochester", "Minnesota", "United States"), ("Seattle", "Washington", "United States"),
          ("Chicago", "Illinois", "United States"), ("Denver", "Colorado", "United States"),
          ("Toronto", "Ontario", "Canada"), ("London", "England", "United Kingdom"), ("Berlin", "Berlin", "Germany"),
          ("Madrid", "Madrid", "Spain"), ("Stockholm", "Stockholm", "Sweden"), ("Tokyo", "Tokyo", "Japan"),
          ("Sydney", "New South Wales", "Australia"), ("Sao Paulo", "Sao Paulo", "Brazil")]
FACILITIES = ["Medical Center", "University Hospital", "Clinical Research Institute", "Cancer Center", "Health System"]
PHASES = ["EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4"]
PHASE_WORDS = {"EARLY_PHASE1": "Early Phase 1", "PHASE1": "Phase 1", "PHASE2": "Phase 2", "PHASE3": "Phase 3",
               "PHASE4": "Phase 4", "NA": "Pilot"}
NIH_FOCUS = {"National Cancer Institute (NCI)": "Cancer", "National Institute on Aging (NIA)": "Disease"}
OPEN = ("RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "ACTIVE_NOT_RECRUITING", "SUSPENDED")
Status = Literal["RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "ACTIVE_NOT_RECRUITING", "SUSPENDED",
                 "COMPLETED", "TERMINATED", "WITHDRAWN"]
NctId = Annotated[str, Field(pattern=r"^NCT\d{8}$")]
MAX_SAVED = 25
SUMMARY = ("s.nctId, s.briefTitle, s.acronym, s.condition, s.intervention, s.interventionType, s.phase,"
           " s.overallStatus, p.name AS leadSponsor, s.enrollmentCount, s.startDate, s.completionDate, s.hasResults")

StudySummary = TypedDict("StudySummary", {
    "nctId": str, "briefTitle": str, "acronym": str, "condition": str, "intervention": str, "interventionType": str,
    "phase": str, "overallStatus": str, "leadSponsor": str, "enrollmentCount": int, "startDate": str,
    "completionDate": str, "hasResults": bool})
Site = TypedDict("Site", {"facility": str, "city": str, "state": str, "country": str, "recruitmentStatus": str})
Study = TypedDict("Study", {**StudySummary.__annotations__, "officialTitle": str, "sponsorClass": str,
                            "studyType": str, "whyStopped": str, "locations": list[Site]})
Page = TypedDict("Page", {"studies": list[StudySummary], "nextPageToken": str | None, "totalCount": int})
Found = TypedDict("Found", {"studies": list[StudySummary], "totalCount": int})
Studies = TypedDict("Studies", {"studies": list[Study]})
Outcome = TypedDict("Outcome", {"arm": str, "value": float, "unit": str, "measure": str, "timeFrame": str,
                                "participants": int})
AdverseEvent = TypedDict("AdverseEvent", {"term": str, "serious": bool, "arm": str, "affected": int,
                                          "atRisk": int})
Flow = TypedDict("Flow", {"started": int, "completed": int, "notCompleted": int})
Results = TypedDict("Results", {"nctId": str, "briefTitle": str, "outcomeMeasures": list[Outcome],
                                "adverseEvents": list[AdverseEvent], "participantFlow": Flow})
Bucket = TypedDict("Bucket", {"value": str, "count": int})
Trends = TypedDict("Trends", {"group_by": str, "buckets": list[Bucket], "totalCount": int})
Saved = TypedDict("Saved", {"nctId": str, "briefTitle": str, "overallStatus": str, "note": str,
                            "statusAlerts": bool, "savedAt": str})
SavedList = TypedDict("SavedList", {"saved": list[Saved], "count": int, "limit": int})
Removed = TypedDict("Removed", {"removed": str, "remaining": int})


def intervention_type(name: str) -> str:
    kind = next((k for word, k in NON_DRUG.items() if name.endswith(word)), "DRUG")
    return "BIOLOGICAL" if kind == "DRUG" and name.lower().endswith(BIOLOGICS) else kind


class ClinicalTrialsGov(World):
    """ClinicalTrials.gov: registered clinical studies with their conditions, interventions, phase, recruitment
    status, lead sponsor, sites, enrollment, dates (YYYY-MM-DD) and, for finished studies, posted results; plus
    the signed-in user's saved studies (at most 25), optionally with alerts on status changes."""

    schema = """
    CREATE TABLE sponsors (sponsor_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, class TEXT NOT NULL);
    CREATE TABLE studies (nctId TEXT PRIMARY KEY, briefTitle TEXT NOT NULL UNIQUE, officialTitle TEXT NOT NULL,
                          acronym TEXT NOT NULL, condition TEXT NOT NULL, intervention TEXT NOT NULL,
                          interventionType TEXT NOT NULL, phase TEXT NOT NULL, overallStatus TEXT NOT NULL,
                          sponsor_id INTEGER NOT NULL REFERENCES sponsors, studyType TEXT NOT NULL,
                          enrollmentCount INTEGER NOT NULL, startDate TEXT NOT NULL, completionDate TEXT NOT NULL,
                          whyStopped TEXT NOT NULL, hasResults INTEGER NOT NULL);
    CREATE INDEX studies_by_condition ON studies (condition, overallStatus);
    CREATE INDEX studies_by_status ON studies (overallStatus, phase);
    CREATE INDEX studies_by_sponsor ON studies (sponsor_id);
    CREATE TABLE sites (nctId TEXT NOT NULL REFERENCES studies, facility TEXT NOT NULL, city TEXT NOT NULL,
                        state TEXT NOT NULL, country TEXT NOT NULL, recruitmentStatus TEXT NOT NULL,
                        PRIMARY KEY (nctId, facility));
    CREATE TABLE outcomes (nctId TEXT NOT NULL REFERENCES studies, measure TEXT NOT NULL,
                           timeFrame TEXT NOT NULL, arm TEXT NOT NULL, participants INTEGER NOT NULL,
                           value REAL NOT NULL, unit TEXT NOT NULL, PRIMARY KEY (nctId, measure, arm));
    CREATE TABLE adverse_events (nctId TEXT NOT NULL REFERENCES studies, term TEXT NOT NULL, serious INTEGER NOT NULL,
                                 arm TEXT NOT NULL, affected INTEGER NOT NULL, atRisk INTEGER NOT NULL,
                                 PRIMARY KEY (nctId, term, arm));
    CREATE TABLE saved_studies (nctId TEXT PRIMARY KEY REFERENCES studies, note TEXT NOT NULL,
                                alerts INTEGER NOT NULL, savedAt TEXT NOT NULL);
    """
    text_search = {"studies": ("condition",), "sponsors": ("name",), "sites": ("city", "state", "country")}
    volatile = {"saved_studies": ("savedAt",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["sponsors"].insert_all({"sponsor_id": i, "name": n, "class": c} for i, (n, c) in enumerate(SPONSORS, 1))
        today, studies, sites, outcomes, events, titles = cls.start_time.date(), {}, [], [], [], set()
        while len(studies) < 110:
            condition = rng.choice(sorted(CONDITIONS))
            drugs, measure, unit, terms = CONDITIONS[condition]
            drug = rng.choice(drugs)
            kind = intervention_type(drug)
            phase = "NA" if kind in ("BEHAVIORAL", "DEVICE") else rng.choices(PHASES, [1, 3, 5, 5, 2])[0]
            status = rng.choices(["COMPLETED", "TERMINATED", "WITHDRAWN", *OPEN], [30, 6, 3, 28, 8, 3, 14, 2])[0]
            acronym = (f"{re.sub('[^A-Za-z]', '', drug)[:4].upper()}-"
                       f"{rng.choice(['CARE', 'STEP', 'PATH', 'LEAD', 'AIM'])}{rng.randrange(1, 9)}")
            title = f"{acronym}: {drug} {rng.choice(['in', 'for', 'Versus Placebo in'])} " \
                    f"{rng.choice(['Adults With', 'Patients With', 'Older Adults With', 'Early'])} {condition}"
            if title in titles:
                continue
            start = today + dt.timedelta(days=rng.randrange(-2600, -200) if status in ("COMPLETED", "TERMINATED")
                                         else rng.randrange(20, 200) if status == "NOT_YET_RECRUITING"
                                         else rng.randrange(-1100, -30))
            end = start + dt.timedelta(days=rng.randrange(180, 1500))
            if status in ("COMPLETED", "TERMINATED"):
                end = min(end, today - dt.timedelta(days=rng.randrange(30, 200)))
            elif end <= today:
                end = today + dt.timedelta(days=rng.randrange(60, 900))
            size = {"EARLY_PHASE1": 20, "PHASE1": 40, "PHASE2": 150, "PHASE3": 600, "PHASE4": 300, "NA": 120}[phase]
            enrolled = 0 if status == "WITHDRAWN" else rng.randrange(size // 2, size * 2)
            posted = status in ("COMPLETED", "TERMINATED") and rng.random() < 0.7
            nct = f"NCT0{rng.randrange(1000000, 6999999)}"
            titles.add(title)
            studies[nct] = {
                "nctId": nct, "briefTitle": title, "acronym": acronym, "condition": condition, "intervention": drug,
                "officialTitle": f"A {PHASE_WORDS[phase]} Randomized Study to Evaluate the Efficacy and"
                                 f" Safety of {drug} in Participants With {condition}",
                "interventionType": kind, "phase": phase, "overallStatus": status,
                "sponsor_id": rng.choice([i for i, (n, _) in enumerate(SPONSORS, 1)
                                          if NIH_FOCUS.get(n, "") in condition]), "studyType": "INTERVENTIONAL",
                "enrollmentCount": enrolled, "startDate": str(start), "completionDate": str(end),
                "whyStopped": {"TERMINATED": rng.choice(["Sponsor decision", "Slow enrollment", "Futility at interim"
                               " analysis"]), "WITHDRAWN": "No participants enrolled", "SUSPENDED": "Safety review"
                               }.get(status, ""), "hasResults": int(posted)}
            for city, state, country in rng.sample(PLACES, 0 if status == "WITHDRAWN" else rng.randrange(1, 5)):
                sites.append({"nctId": nct, "facility": f"{fake.last_name()} {rng.choice(FACILITIES)}", "city": city,
                              "state": state, "country": country, "recruitmentStatus":
                              status if status in OPEN else "COMPLETED" if status == "COMPLETED" else "WITHDRAWN"})
            if posted:
                weeks = rng.choice([12, 24, 26, 52])
                for arm in (drug, "Placebo"):
                    n = enrolled // 2
                    base = rng.uniform(-12, -1) if "Change" in measure else rng.uniform(8, 70)
                    outcomes.append({"nctId": nct, "measure": measure, "timeFrame":
                                     f"Week {weeks}", "arm": arm, "participants": n,
                                     "value": round(base * (0.4 if arm == "Placebo" else 1), 1), "unit": unit})
                    for term in terms:
                        events.append({"nctId": nct, "term": term, "serious": int(term in ("Neutropenia", "Pneumonitis",
                                       "Hyperkalaemia", "ARIA-E", "Falls")), "arm": arm, "atRisk": n,
                                       "affected": rng.randrange(0, max(2, n // 4))})
        db["studies"].insert_all(studies.values())
        db["sites"].insert_all(sites, ignore=True)
        db["outcomes"].insert_all(outcomes)
        db["adverse_events"].insert_all(events)
        saved = rng.sample(sorted(studies), 6)
        db["saved_studies"].insert_all({"nctId": n, "note": rng.choice(["ask Dr. Patel", "for my mother",
                                        "check eligibility", "near home"]), "alerts": int(
                                        studies[n]["overallStatus"] in OPEN and rng.random() < 0.5),
                                        "savedAt": f"{cls.days_before_start(rng, 2, 200)}T19:30"} for n in saved)

    # ------------------------------------------------------------------ helpers
    def _summaries(self, where: str, *params: Any, limit: int = 200, offset: int = 0) -> list[StudySummary]:
        rows = self.rows(f"SELECT {SUMMARY} FROM studies s JOIN sponsors p USING (sponsor_id) WHERE {where}"
                         " ORDER BY s.startDate DESC, s.nctId LIMIT ? OFFSET ?", *params, limit, offset)
        return [{**r, "hasResults": bool(r["hasResults"])} for r in rows]

    def _contains(self, where: str, params: tuple[Any, ...], key: str, table: str, column: str,
                  text: str) -> tuple[str, tuple[Any, ...]]:
        """``where`` narrowed to rows whose ``key`` is the ``column`` of a ``table`` row containing ``text`` (trigram
        index); an empty text matches nothing, as LIKE '' did on these never-empty columns."""
        if not text:
            return f"{where} AND 0", params
        matches, found = self.text_filter(table, text)
        return f"{where} AND {key} IN (SELECT {column} FROM {table} WHERE {matches})", params + found

    def _study_filter(self, condition: str | None, intervention: str | None,
                      status: str | None) -> tuple[str, tuple[Any, ...]]:
        """Studies whose condition (trigram index) and intervention contain these texts, with this status."""
        pattern = intervention and like_pattern(intervention.strip())
        where = "(? IS NULL OR s.intervention LIKE ? ESCAPE '\\') AND (? IS NULL OR s.overallStatus = ?)"
        params = (pattern, pattern, status, status)
        if condition is not None:
            where, params = self._contains(where, params, "s.nctId", "studies", "nctId", condition)
        return where, params

    def _study(self, nct_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM studies WHERE nctId = ?", nct_id, error=(
            f"no study with NCT id '{nct_id}'; clinicaltrials_search_studies finds studies by condition"))

    def _saved(self) -> list[Saved]:
        return [{**r, "statusAlerts": bool(r["statusAlerts"])} for r in self.rows(
            "SELECT v.nctId, s.briefTitle, s.overallStatus, v.note, v.alerts AS statusAlerts, v.savedAt"
            " FROM saved_studies v JOIN studies s USING (nctId) ORDER BY v.savedAt DESC, v.nctId")]

    # -------------------------------------------------------------------- tools
    @tool(phrase=["list the {status} studies[ sponsored by {sponsor}]", "show me {phase} trials[ that are {status}]",
                  "list the trials run by {sponsor}[ that are {status}]", "browse the latest registered studies",
                  "list {phase} studies sponsored by {sponsor}"])
    def clinicaltrials_list_studies(self, status: Status | None = None, phase: Literal[
            "EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA"] | None = None, sponsor: str | None = None,
            pageSize: Annotated[int, Field(ge=1, le=50)] = 10, pageToken: str | None = None) -> Page:
        """Browse registered studies, newest start date first, a page at a time.

        Args:
            status: Only studies with this overall status.
            phase: Only studies in this phase (NA for behavioral and device studies).
            sponsor: Only studies whose lead sponsor's name contains this text.
            pageSize: Studies per page, 1-50.
            pageToken: The nextPageToken of the previous page, to get the next one.
        """
        offset = 0
        if pageToken is not None:
            if not re.fullmatch(r"pt_[0-9a-f]{8}", pageToken):
                raise ToolError(f"invalid pageToken '{pageToken}'; pass the nextPageToken of the previous page")
            offset = int(pageToken[3:], 16)
        where = "(? IS NULL OR s.overallStatus = ?) AND (? IS NULL OR s.phase = ?)"
        params: tuple[Any, ...] = (status, status, phase, phase)
        if sponsor is not None:
            where, params = self._contains(where, params, "p.sponsor_id", "sponsors", "sponsor_id", sponsor)
        total = self.value(f"SELECT COUNT(*) FROM studies s JOIN sponsors p USING (sponsor_id) WHERE {where}", *params)
        page = self._summaries(where, *params, limit=pageSize, offset=offset)
        return {"studies": page, "totalCount": total,
                "nextPageToken": f"pt_{offset + pageSize:08x}" if offset + pageSize < total else None}

    @tool(phrase=["pull up the full record of {nctIds}", "show me the sites and details of {nctIds}"])
    def clinicaltrials_get_study(self, nctIds: Annotated[list[NctId], Field(min_length=1, max_length=10)]) -> Studies:
        """Full records of one to ten studies, with their sites.

        Args:
            nctIds: NCT ids such as NCT04123456.
        """
        found = []
        for nct in dict.fromkeys(nctIds):
            self._study(nct)
            row = self.row(f"SELECT {SUMMARY}, s.officialTitle, p.class AS sponsorClass, s.studyType, s.whyStopped"
                           " FROM studies s JOIN sponsors p USING (sponsor_id) WHERE s.nctId = ?", nct)
            sites = self.rows("SELECT facility, city, state, country, recruitmentStatus FROM sites WHERE nctId = ?"
                              " ORDER BY country, city, facility", nct)
            found.append({**row, "hasResults": bool(row["hasResults"]), "locations": sites})
        return {"studies": found}

    @tool(phrase=["find [{status} ]trials for {condition}[ testing {intervention}][ with a site in {location}]",
                  "search for [{status} ]studies of {intervention}[ in {condition}][ near {location}]",
                  "look for {condition} trials[ in {location}]", "find studies that are {status}[ in {location}]",
                  "find trials with a site in {location}[ that are {status}]"])
    def clinicaltrials_search_studies(self, condition: str | None = None, intervention: str | None = None,
                                      location: str | None = None, status: Status | None = None,
                                      pageSize: Annotated[int, Field(ge=1, le=100)] = 20) -> Found:
        """Search studies by condition, intervention, site location (city, state or country) and status.

        Args:
            condition: Text the condition must contain, e.g. "asthma".
            intervention: Text the intervention must contain, e.g. "semaglutide".
            location: City, state or country of at least one site.
            status: Only studies with this overall status.
            pageSize: At most this many studies.
        """
        if not any(v and v.strip() for v in (condition, intervention, location)) and status is None:
            raise ToolError("give at least one of condition, intervention, location or status to search")
        where, params = self._study_filter(condition and condition.strip(), intervention and intervention.strip(),
                                           status)
        if location is not None:
            where, params = self._contains(where, params, "s.nctId", "sites", "nctId", location and location.strip())
        found = self._summaries(where, *params)
        return {"studies": found[:pageSize], "totalCount": len(found)}

    @tool(phrase=["get the posted results of {nctId}", "show me what {nctId} found"])
    def clinicaltrials_get_results(self, nctId: NctId) -> Results:
        """Posted results of a finished study: outcome measures per arm, adverse events and participant flow.

        Args:
            nctId: The study's NCT id.
        """
        study = self._study(nctId)
        if not study["hasResults"]:
            raise ToolError(f"study {nctId} ({study['overallStatus']}) has no posted results; results are posted"
                            " only after a study is completed or terminated")
        outcomes = self.rows('SELECT arm, value, unit, measure, timeFrame, participants FROM outcomes'
                             ' WHERE nctId = ? ORDER BY measure, arm', nctId)
        events = [{**e, "serious": bool(e["serious"])} for e in self.rows(
            'SELECT term, serious, arm, affected, atRisk FROM adverse_events WHERE nctId = ?'
            ' ORDER BY term, arm', nctId)]
        started = study["enrollmentCount"]
        completed = started - round(started * (0.08 if study["overallStatus"] == "COMPLETED" else 0.3))
        return {"nctId": nctId, "briefTitle": study["briefTitle"], "outcomeMeasures": outcomes,
                "adverseEvents": events,
                "participantFlow": {"started": started, "completed": completed, "notCompleted": started - completed}}

    @tool(phrase=["count the {condition} trials[ testing {intervention}][ that are {status}] by {group_by}",
                  "break down the [{status} ]studies by {group_by}",
                  "show how [{status} ]trials of {intervention} split by {group_by}"])
    def clinicaltrials_analyze_trends(self, group_by: Literal["status", "phase", "sponsor", "sponsor_class",
                                      "country", "start_year", "condition", "intervention_type"],
                                      condition: str | None = None, intervention: str | None = None,
                                      status: Status | None = None) -> Trends:
        """Count matching studies per status, phase, sponsor, sponsor class, site country, start year, condition
        or intervention type (a study with sites in several countries counts once per country).

        Args:
            group_by: What to count by.
            condition: Only studies whose condition contains this text.
            intervention: Only studies whose intervention contains this text.
            status: Only studies with this overall status.
        """
        key = {"status": "s.overallStatus", "phase": "s.phase", "sponsor": "p.name", "sponsor_class": "p.class",
               "country": "t.country", "start_year": "substr(s.startDate, 1, 4)", "condition": "s.condition",
               "intervention_type": "s.interventionType"}[group_by]
        join = " JOIN (SELECT DISTINCT nctId, country FROM sites) t USING (nctId)" if group_by == "country" else ""
        where, params = self._study_filter(condition, intervention, status)
        buckets = self.rows(f"SELECT {key} AS value, COUNT(*) AS count FROM studies s JOIN sponsors p"
                            f" USING (sponsor_id){join} WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 1", *params)
        total = self.value(f"SELECT COUNT(*) FROM studies s WHERE {where}", *params)
        return {"group_by": group_by, "buckets": buckets, "totalCount": total}

    @tool(phrase=["show my saved studies", "list the trials I saved"])
    def clinicaltrials_list_saved_studies(self) -> SavedList:
        """The signed-in user's saved studies, most recently saved first."""
        saved = self._saved()
        return {"saved": saved, "count": len(saved), "limit": MAX_SAVED}

    @tool(writes=True, phrase=["save {nctId} to my saved studies[ with the note {note}]",
                               "bookmark {nctId}[ and note {note}]",
                               ("save {nctId}[ with the note {note}], with 'email me on status changes' set to"
                                " {statusAlerts}"),
                               "keep {nctId} on my list[, noting {note}]"])
    def clinicaltrials_save_study(self, nctId: NctId, note: Annotated[str, Field(max_length=200)] = "",
                                  statusAlerts: bool = False) -> Saved:
        """Save a study to the user's list (at most 25), with an optional note; status alerts (an email when the
        recruitment status changes) can only be turned on for studies that are still open or ongoing.

        Args:
            nctId: The study's NCT id.
            note: A private note, up to 200 characters.
            statusAlerts: Email me when the study's status changes.
        """
        study = self._study(nctId)
        if self.row("SELECT 1 FROM saved_studies WHERE nctId = ?", nctId):
            raise ToolError(f"study {nctId} is already saved; clinicaltrials_update_saved_study changes its note")
        if self.value("SELECT COUNT(*) FROM saved_studies") >= MAX_SAVED:
            raise ToolError(f"you already have {MAX_SAVED} saved studies, the most allowed; remove one first")
        if statusAlerts and study["overallStatus"] not in OPEN:
            raise ToolError(f"study {nctId} is {study['overallStatus']}, so its status will not change; save it"
                            " without statusAlerts")
        self.execute("INSERT INTO saved_studies VALUES (?, ?, ?, ?)", nctId, note.strip(), int(statusAlerts),
                     self.now().isoformat(timespec="minutes"))
        return next(s for s in self._saved() if s["nctId"] == nctId)

    @tool(writes=True, phrase=["change my note on {nctId} to {note}", "update what I noted on {nctId} to {note}",
                               ("set 'email me on status changes' to {statusAlerts} for {nctId}"
                                "[ and change its note to {note}]")])
    def clinicaltrials_update_saved_study(self, nctId: NctId, note: Annotated[str, Field(max_length=200)] | None = None,
                                          statusAlerts: bool | None = None) -> Saved:
        """Change the note or the status alerts of a saved study; what is left out stays as it is.

        Args:
            nctId: The saved study's NCT id.
            note: New private note, up to 200 characters.
            statusAlerts: Whether to email me when its status changes.
        """
        saved = next((s for s in self._saved() if s["nctId"] == nctId), None)
        if saved is None:
            raise ToolError(f"study {nctId} is not in your saved studies; clinicaltrials_save_study saves it")
        if note is None and statusAlerts is None:
            raise ToolError("give a new note or statusAlerts to change")
        if statusAlerts and saved["overallStatus"] not in OPEN:
            raise ToolError(f"study {nctId} is {saved['overallStatus']}, so its status will not change; alerts"
                            " cannot be turned on")
        self.execute("UPDATE saved_studies SET note = coalesce(?, note), alerts = coalesce(?, alerts)"
                     " WHERE nctId = ?", None if note is None else note.strip(),
                     None if statusAlerts is None else int(statusAlerts), nctId)
        return next(s for s in self._saved() if s["nctId"] == nctId)

    @tool(writes=True, phrase=["remove {nctId} from my saved studies", "unsave {nctId}",
                               "take {nctId} off my list of saved trials"])
    def clinicaltrials_remove_saved_study(self, nctId: NctId) -> Removed:
        """Remove a study from the user's saved studies.

        Args:
            nctId: The saved study's NCT id.
        """
        if not self.execute("DELETE FROM saved_studies WHERE nctId = ?", nctId):
            raise ToolError(f"study {nctId} is not in your saved studies; clinicaltrials_list_saved_studies shows"
                            " them")
        return {"removed": nctId, "remaining": self.value("SELECT COUNT(*) FROM saved_studies")}
