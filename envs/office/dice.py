"""Dice: the tech job board: postings with skills, salary ranges, contract types and work authorization."""

from __future__ import annotations

import datetime as dt
import random
import statistics
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

ROLES = {  # role -> (skills, base yearly salary in USD)
    "Java Developer": (["Java", "Spring Boot", "Microservices", "SQL", "AWS", "Kafka"], 118_000),
    "Python Developer": (["Python", "Django", "FastAPI", "PostgreSQL", "AWS", "Docker"], 115_000),
    "DevOps Engineer": (["Kubernetes", "Terraform", "AWS", "Jenkins", "Docker", "Linux"], 125_000),
    "Data Engineer": (["Python", "Apache Spark", "SQL", "Snowflake", "Airflow", "Kafka"], 128_000),
    "Cloud Architect": (["AWS", "Azure", "Terraform", "Kubernetes", "Networking"], 155_000),
    "Full Stack Developer": (["JavaScript", "React", "Node.js", "TypeScript", "SQL", "Docker"], 112_000),
    "QA Automation Engineer": (["Selenium", "Java", "Cypress", "API Testing", "Jenkins"], 98_000),
    "Cybersecurity Analyst": (["SIEM", "Splunk", "Incident Response", "Linux", "Networking"], 110_000),
    ".NET Developer": ([".NET", "C#", "Azure", "SQL Server", "Angular"], 108_000),
    "Machine Learning Engineer": (["Python", "PyTorch", "TensorFlow", "MLOps", "Kubernetes"], 150_000),
    "Site Reliability Engineer": (["Kubernetes", "Go", "Prometheus", "Linux", "Terraform"], 140_000),
}
LEVELS = {"Junior ": ("Entry Level", 0, 0.75), "": ("Mid Level", 3, 1.0), "Senior ": ("Senior Level", 6, 1.2),
          "Lead ": ("Lead", 8, 1.35), "Principal ": ("Lead", 10, 1.5)}
SECTORS = ["Banking", "Healthcare", "Retail", "Insurance", "Telecom", "Federal", "E-commerce", "Energy", "Media",
           "Logistics", "Gaming", "Fintech"]
CITIES = [("Austin", "TX"), ("Dallas", "TX"), ("New York", "NY"), ("Charlotte", "NC"), ("Atlanta", "GA"),
          ("Chicago", "IL"), ("Seattle", "WA"), ("McLean", "VA"), ("Phoenix", "AZ"), ("San Jose", "CA")]
BENEFITS = ["401(k) matching", "Medical, dental and vision", "Paid time off", "Remote work stipend",
            "Tuition reimbursement", "Stock options", "Annual bonus"]
EmploymentType = Literal["Full-time", "Contract - W2", "Contract - Corp-To-Corp", "Contract - Independent",
                         "Part-time"]
TYPES = EmploymentType.__args__
AUTHORIZATIONS = ("Any work authorization", "US Citizen or Green Card", "US Citizen")
CANDIDATE_AUTH = "Green Card"
EXPIRES_AFTER = 30  # days a Dice posting stays live
PERIODS = {"7 days": 7, "30 days": 30, "90 days": 90}
JobId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
City = Annotated[str, Field(min_length=2, max_length=60)]

JobRow = TypedDict("JobRow", {"job_id": str, "title": str, "company": str, "location": str, "workplace": str,
                              "employment_type": str, "salary": str, "posted_date": str})
JobSearch = TypedDict("JobSearch", {"jobs": list[JobRow], "total_results": int})
JobDetails = TypedDict("JobDetails", {
    "job_id": str, "title": str, "company": str, "company_size": str, "location": str, "workplace": str,
    "employment_type": str, "description": str, "requirements": list[str], "preferred_skills": list[str],
    "experience_level": str, "years_required": int, "education": str, "salary_min": int, "salary_max": int,
    "pay_period": str, "benefits": list[str], "work_authorization": str, "posted_date": str, "active": bool,
    "applied": bool, "apply_url": str})
SkillJob = TypedDict("SkillJob", {"job_id": str, "title": str, "company": str, "location": str,
                                  "matched_skills": list[str]})
SkillSearch = TypedDict("SkillSearch", {"jobs": list[SkillJob], "skill_demand": dict[str, int]})
Factors = TypedDict("Factors", {"postings_analyzed": int, "hourly_postings_annualized": int,
                                "remote_share_percent": int, "years_experience": int | None})
Salary = TypedDict("Salary", {"job_title": str, "location": str, "salary_range_low": int, "salary_range_mid": int,
                              "salary_range_high": int, "currency": str, "pay_period": str, "factors": Factors})
Count = TypedDict("Count", {"name": str, "postings": int})
Trends = TypedDict("Trends", {"time_period": str, "postings": int, "top_job_titles": list[Count],
                              "hot_skills": list[Count], "top_locations": list[Count]})
Alert = TypedDict("Alert", {"alert_id": str, "name": str, "keywords": str, "location": str | None, "remote_only": bool,
                            "employment_type": str | None, "frequency": str, "created_date": str})
Application = TypedDict("Application", {"application_id": str, "job_id": str, "title": str, "company": str,
                                        "applied_date": str, "status": str})
Deleted = TypedDict("Deleted", {"deleted": str})
ROW = ("SELECT job_id, title, name AS company, location, workplace, employment_type, pay_period, salary_min,"
       " salary_max, posted_date FROM jobs JOIN employers USING (employer_id)")


def row_of(job: dict[str, Any]) -> Any:
    unit = "/yr" if job["pay_period"] == "year" else "/hr"
    return {**{k: job[k] for k in JobRow.__annotations__ if k != "salary"},
            "salary": f"USD {job['salary_min']:,}-{job['salary_max']:,}{unit}"}


def yearly(job: dict[str, Any], column: str) -> int:
    return job[column] * (2080 if job["pay_period"] == "hour" else 1)


class Dice(World):
    """Dice, the tech job board, for a signed-in candidate (authorized to work as a Green Card holder): search
    tech postings by keywords, location, remote flag and skills; salary insights and tech trends computed from
    the live postings; search alerts (at most 5); applications (one per posting, live postings only, the
    posting's work authorization must fit). Postings expire 30 days after they are posted."""

    domain = "Office"
    schema = """
    CREATE TABLE employers (employer_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, company_size TEXT NOT NULL);
    CREATE TABLE jobs (job_id TEXT PRIMARY KEY, employer_id TEXT NOT NULL REFERENCES employers,
        title TEXT NOT NULL UNIQUE, job_title TEXT NOT NULL, description TEXT NOT NULL, city TEXT NOT NULL,
        state TEXT NOT NULL, location TEXT NOT NULL, workplace TEXT NOT NULL, employment_type TEXT NOT NULL,
        experience_level TEXT NOT NULL, years_required INTEGER NOT NULL, education TEXT NOT NULL,
        salary_min INTEGER NOT NULL, salary_max INTEGER NOT NULL, pay_period TEXT NOT NULL, benefits TEXT NOT NULL,
        work_authorization TEXT NOT NULL, posted_date TEXT NOT NULL);
    CREATE INDEX jobs_by_posted ON jobs (posted_date);
    CREATE INDEX jobs_by_city ON jobs (city COLLATE NOCASE);
    CREATE INDEX jobs_by_employer ON jobs (employer_id);
    CREATE TABLE job_skills (job_id TEXT NOT NULL REFERENCES jobs, skill TEXT NOT NULL COLLATE NOCASE,
        required INTEGER NOT NULL, PRIMARY KEY (job_id, skill));
    CREATE INDEX job_skills_by_skill ON job_skills (skill);
    CREATE TABLE alerts (alert_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, keywords TEXT NOT NULL,
        location TEXT, remote INTEGER NOT NULL, employment_type TEXT, frequency TEXT NOT NULL, created_date TEXT NOT NULL);
    CREATE TABLE applications (application_id TEXT PRIMARY KEY, job_id TEXT NOT NULL UNIQUE REFERENCES jobs,
        cover_letter TEXT NOT NULL, applied_date TEXT NOT NULL, status TEXT NOT NULL);
    """
    volatile = {"alerts": ("created_date",), "applications": ("applied_date",)}
    text_search = {"jobs": ("title", "description")}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        employers: dict[str, dict[str, Any]] = {}
        while len(employers) < 25:
            name = rng.choice([f"{fake.last_name()} Technologies", f"{fake.last_name()} Systems Inc",
                               f"{fake.last_name()} IT Solutions", f"{fake.last_name()} Consulting Group"])
            employers[name] = {"employer_id": str(rng.randrange(10_100_000, 10_999_999)), "name": name,
                               "company_size": rng.choice(["1-50", "51-200", "201-1000", "1001-5000", "5000+"])}
        titles = {f"{level}{role} - {sector}": (level, role)
                  for level in LEVELS for role in ROLES for sector in SECTORS}
        jobs, skills = [], []
        for title in rng.sample(sorted(titles), 160):
            level, role = titles[title]
            (experience, years, factor), (wanted, base) = LEVELS[level], ROLES[role]
            kind = rng.choices(TYPES, weights=[10, 4, 3, 2, 1])[0]
            hourly = kind.startswith("Contract")
            low = round(base * factor * rng.uniform(0.85, 1.1) / (2080 if hourly else 1000)) * (1 if hourly else 1000)
            city, state = rng.choice(CITIES)
            workplace = rng.choices(["On-Site", "Hybrid", "Remote"], weights=[3, 3, 3])[0]
            job_id = f"{rng.getrandbits(128):032x}"
            jobs.append({"job_id": job_id, "employer_id": rng.choice(list(employers.values()))["employer_id"],
                         "title": title, "job_title": role, "city": city, "state": state,
                         "description": f"{title}. {fake.paragraph(nb_sentences=3)}",
                         "location": f"{city}, {state}", "workplace": workplace, "employment_type": kind,
                         "experience_level": experience, "years_required": years + rng.randrange(0, 3),
                         "education": rng.choice(["Bachelor's degree", "Bachelor's or equivalent experience",
                                                  "Master's degree preferred", "No degree required"]),
                         "salary_min": low, "salary_max": round(low * rng.uniform(1.15, 1.4)),
                         "pay_period": "hour" if hourly else "year",
                         "benefits": "; ".join(rng.sample(BENEFITS, 0 if hourly else rng.randrange(2, 5))),
                         "work_authorization": rng.choices(AUTHORIZATIONS, weights=[5, 3, 2])[0],
                         "posted_date": cls.days_before_start(rng, 0, 40).isoformat()})
            picked = rng.sample(wanted, rng.randrange(3, len(wanted) + 1))
            skills += [{"job_id": job_id, "skill": s, "required": int(i < 3)} for i, s in enumerate(picked)]
        db["employers"].insert_all(employers.values())
        db["jobs"].insert_all(jobs)
        db["job_skills"].insert_all(skills)
        db["alerts"].insert_all({"alert_id": f"alr_{rng.getrandbits(40):010x}", "keywords": k,
                                 "name": f"{k} jobs" + (f" in {place}" if place else " (remote)"), "location": place,
                                 "remote": remote, "employment_type": None, "frequency": often,
                                 "created_date": cls.days_before_start(rng, 5, 60).isoformat()}
                                for k, place, remote, often in [("Data Engineer", "Austin", 0, "daily"),
                                                                ("Kubernetes", None, 1, "weekly")])
        live = [j for j in jobs if j["posted_date"] > cls._cutoff()]
        db["applications"].insert_all({"application_id": f"app_{rng.getrandbits(40):010x}", "job_id": j["job_id"],
                                       "cover_letter": "", "applied_date": j["posted_date"], "status": status}
                                      for j, status in zip(rng.sample(live, 3), ["Applied", "Viewed", "Rejected"]))

    @classmethod
    def _cutoff(cls) -> str:
        """Postings on or before this day have expired."""
        return (cls.start_time - dt.timedelta(days=EXPIRES_AFTER)).date().isoformat()

    def _job(self, job_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM jobs JOIN employers USING (employer_id) WHERE job_id = ?", job_id,
                            error=f"no Dice posting with id '{job_id}'; search_tech_jobs shows the ids")

    def _place(self, location: str | None) -> str | None:
        return location.split(",")[0].strip() if location else None

    @tool(phrase=["search Dice for {keywords} jobs[ in {location}][ ({employment_type})]",
                  "find tech openings for {keywords}[ near {location}][, remote only: {remote_only}]"])
    def search_tech_jobs(self, keywords: NonEmptyStr, location: City | None = None, remote_only: bool = False,
                         employment_type: EmploymentType | None = None,
                         page_size: Annotated[int, Field(ge=1, le=50)] = 20) -> JobSearch:
        """Search live tech postings by keywords in the title or description, newest first.

        Args:
            keywords: Words to look for, e.g. "DevOps".
            location: A city ("Dallas"), "City, ST" or a state code ("TX"); remote postings match any location.
            remote_only: Only postings that are fully remote.
            employment_type: Full-time, part-time or a contract type (W2, Corp-To-Corp, Independent).
            page_size: At most this many postings (the total is still counted).
        """
        matches, params = self.text_filter("jobs", keywords)
        place = self._place(location)
        found = self.rows(
            f"{ROW} WHERE {matches} AND posted_date > ? AND (? IS NULL OR workplace = 'Remote' OR city = ?"
            " COLLATE NOCASE OR state = ? COLLATE NOCASE) AND (? = 0 OR workplace = 'Remote')"
            " AND (? IS NULL OR employment_type = ?) ORDER BY posted_date DESC, job_id",
            *params, self._cutoff(), place, place, place, int(remote_only), employment_type, employment_type)
        return {"jobs": [row_of(j) for j in found[:page_size]], "total_results": len(found)}

    @tool(phrase=["show me {job_id} on Dice", "give me the details of {job_id}"])
    def get_job_details(self, job_id: JobId) -> JobDetails:
        """Get a posting: requirements, preferred skills, salary range and pay period, benefits, work
        authorization and whether it is still live.

        Args:
            job_id: The posting's Dice id (32 hex characters).
        """
        job = self._job(job_id)
        skills = self.rows("SELECT skill, required FROM job_skills WHERE job_id = ? ORDER BY skill", job_id)
        return {**{k: job[k] for k in JobDetails.__annotations__ if k in job}, "company": job["name"],
                "requirements": [s["skill"] for s in skills if s["required"]],
                "preferred_skills": [s["skill"] for s in skills if not s["required"]],
                "benefits": job["benefits"].split("; ") if job["benefits"] else [],
                "active": job["posted_date"] > self._cutoff(),
                "applied": self.row("SELECT 1 FROM applications WHERE job_id = ?", job_id) is not None,
                "apply_url": f"https://www.dice.com/job-detail/{job_id}"}

    @tool(phrase=["find Dice jobs that use {skills}[ in {location}]", "which postings ask for {skills}"])
    def search_by_skills(self, skills: Annotated[list[NonEmptyStr], Field(min_length=1, max_length=10)],
                         location: City | None = None) -> SkillSearch:
        """Live postings asking for any of the skills, most matched skills first (at most 20), and how many live
        postings ask for each skill.

        Args:
            skills: Skills to match, e.g. ["Kubernetes", "Terraform"].
            location: A city, "City, ST" or a state code; remote postings match any location.
        """
        wanted = sorted({s.strip() for s in skills}, key=str.lower)
        place, marks = self._place(location), ", ".join("?" * len(wanted))
        found = self.rows(
            f"SELECT job_id, title, name AS company, location, group_concat(skill, '|') AS matched FROM jobs"
            f" JOIN employers USING (employer_id) JOIN job_skills USING (job_id) WHERE skill IN ({marks})"
            " AND posted_date > ? AND (? IS NULL OR workplace = 'Remote' OR city = ? COLLATE NOCASE OR state = ?"
            " COLLATE NOCASE) GROUP BY job_id ORDER BY COUNT(*) DESC, posted_date DESC, job_id LIMIT 20",
            *wanted, self._cutoff(), place, place, place)
        demand = {s: self.value("SELECT COUNT(*) FROM job_skills JOIN jobs USING (job_id) WHERE skill = ?"
                                " AND posted_date > ?", s, self._cutoff()) for s in wanted}
        return {"jobs": [{**{k: j[k] for k in SkillJob.__annotations__ if k in j},
                          "matched_skills": sorted(j["matched"].split("|"))} for j in found], "skill_demand": demand}

    @tool(phrase=["find out what a {job_title} earns[ in {location}][ with {years_experience} years of experience]",
                  "get salary insights for {job_title}[ around {location}][ at {years_experience} years]"])
    def get_salary_insights(self, job_title: NonEmptyStr, location: City | None = None,
                            years_experience: Annotated[int, Field(ge=0, le=40)] | None = None) -> Salary:
        """Yearly salary range (25th percentile, median, 75th percentile, USD) of live postings whose title
        matches, computed from their advertised ranges; contract hourly rates count as 2,080 hours a year.

        Args:
            job_title: Title to match, e.g. "Data Engineer".
            location: A city, "City, ST" or a state code (remote postings count everywhere).
            years_experience: Only postings asking for at most this many years.
        """
        matches, params = self.text_filter("jobs", job_title)
        place = self._place(location)
        found = self.rows(
            f"SELECT * FROM jobs WHERE {matches} AND posted_date > ? AND (? IS NULL OR workplace = 'Remote' OR"
            " city = ? COLLATE NOCASE OR state = ? COLLATE NOCASE) AND (? IS NULL OR years_required <= ?)",
            *params, self._cutoff(), place, place, place, years_experience, years_experience)
        if len(found) < 2:
            raise ToolError(f"too few live postings match '{job_title}'{f' in {location}' if location else ''} for"
                            " salary insights (2 needed); try a broader title or no location")
        mids = [(yearly(j, "salary_min") + yearly(j, "salary_max")) // 2 for j in found]
        low, _, high = statistics.quantiles(mids, n=4, method="inclusive")
        return {"job_title": job_title.strip(), "location": location or "United States",
                "salary_range_low": round(low), "salary_range_mid": round(statistics.median(mids)),
                "salary_range_high": round(high), "currency": "USD", "pay_period": "year",
                "factors": {"postings_analyzed": len(found),
                            "hourly_postings_annualized": sum(j["pay_period"] == "hour" for j in found),
                            "remote_share_percent": round(100 * sum(j["workplace"] == "Remote" for j in found)
                                                          / len(found)), "years_experience": years_experience}}

    @tool(phrase=["show me the tech hiring trends of the last {time_period}",
                  "tell me the hottest skills and roles on Dice over the past {time_period}"])
    def get_tech_trends(self, time_period: Literal["7 days", "30 days", "90 days"] = "30 days") -> Trends:
        """Most posted roles, most requested skills and busiest locations among postings of the period (top 5).

        Args:
            time_period: Postings of the last 7, 30 or 90 days.
        """
        since = (self.start_time - dt.timedelta(days=PERIODS[time_period])).date().isoformat()
        top = lambda column, source: self.rows(  # noqa: E731
            f"SELECT {column} AS name, COUNT(*) AS postings FROM {source} WHERE posted_date > ? GROUP BY 1"
            " ORDER BY 2 DESC, 1 LIMIT 5", since)
        total = self.value("SELECT COUNT(*) FROM jobs WHERE posted_date > ?", since)
        return {"time_period": time_period, "postings": total, "top_job_titles": top("job_title", "jobs"),
                "hot_skills": top("skill", "jobs JOIN job_skills USING (job_id)"),
                "top_locations": top("CASE workplace WHEN 'Remote' THEN 'Remote' ELSE location END", "jobs")}

    @tool(phrase=["list my Dice job alerts", "which job alerts do I have"])
    def list_job_alerts(self) -> list[Alert]:
        """The candidate's saved search alerts."""
        return [{**a, "remote_only": bool(a["remote_only"])} for a in self.rows(
            "SELECT alert_id, name, keywords, location, remote AS remote_only, employment_type, frequency, created_date"
            " FROM alerts ORDER BY created_date, alert_id")]

    @tool(writes=True, phrase=[
        "set up a {frequency} Dice alert for {keywords} jobs[ in {location}][ ({employment_type})]",
        "email me {frequency} about new {keywords} postings[ near {location}][, remote only: {remote_only}]"])
    def create_job_alert(self, keywords: NonEmptyStr, frequency: Literal["daily", "weekly"],
                         location: City | None = None, remote_only: bool = False,
                         employment_type: EmploymentType | None = None) -> Alert:
        """Save a search as an email alert named after it (at most 5 alerts; the same search cannot be saved twice).

        Args:
            keywords: Words the search looks for.
            frequency: How often the alert email comes.
            location: A city, "City, ST" or a state code.
            remote_only: Only remote postings.
            employment_type: Only this employment type.
        """
        search = (keywords.strip(), location and location.strip(), int(remote_only), employment_type)
        if self.row("SELECT 1 FROM alerts WHERE keywords = ? COLLATE NOCASE AND location IS ? COLLATE NOCASE"
                    " AND remote = ? AND employment_type IS ?", *search):
            raise ToolError(f"you already have an alert for '{search[0]}' with these filters; list_job_alerts")
        label = f"{search[0]} jobs" + (f" in {search[1]}" if search[1] else " (remote)" if remote_only else "")
        if self.row("SELECT 1 FROM alerts WHERE name = ?", label):
            raise ToolError(f"an alert named '{label}' exists; change its filters or delete it first")
        if self.value("SELECT COUNT(*) FROM alerts") >= 5:
            raise ToolError("Dice allows at most 5 job alerts; delete one with delete_job_alert first")
        alert_id = self.new_id("alerts", "alr_")
        self.execute("INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", alert_id, label, *search, frequency,
                     self.now().date().isoformat())
        return next(a for a in self.list_job_alerts() if a["alert_id"] == alert_id)

    @tool(writes=True, phrase=["delete {alert_id}", "stop sending me {alert_id}"])
    def delete_job_alert(self, alert_id: NonEmptyStr) -> Deleted:
        """Delete a search alert.

        Args:
            alert_id: The alert's id.
        """
        if not self.execute("DELETE FROM alerts WHERE alert_id = ?", alert_id):
            raise ToolError(f"no job alert with id '{alert_id}'; list_job_alerts shows the ids")
        return {"deleted": alert_id}

    @tool(writes=True, phrase=["apply to {job_id}[ with the cover letter {cover_letter}]",
                               "send my Dice profile to {job_id}[, adding the note {cover_letter}]"])
    def apply_to_job(self, job_id: JobId, cover_letter: Annotated[str, UserKnown, Field(max_length=2000)] = ""
                     ) -> Application:
        """Apply to a live posting with the candidate's Dice profile and resume (one application per posting).

        Args:
            job_id: The posting's Dice id.
            cover_letter: Optional note to the recruiter (2,000 characters at most).
        """
        job = self._job(job_id)
        if job["posted_date"] <= self._cutoff():
            raise ToolError(f"'{job['title']}' expired (posted {job['posted_date']}); Dice postings stay live"
                            f" {EXPIRES_AFTER} days")
        if (done := self.value("SELECT applied_date FROM applications WHERE job_id = ?", job_id)) is not None:
            raise ToolError(f"you already applied to '{job['title']}' on {done}")
        if job["work_authorization"] == "US Citizen":
            raise ToolError(f"'{job['title']}' requires US citizenship; your profile's work authorization is"
                            f" {CANDIDATE_AUTH}")
        application_id = self.new_id("applications", "app_")
        self.execute("INSERT INTO applications VALUES (?, ?, ?, ?, 'Applied')", application_id, job_id,
                     cover_letter.strip(), self.now().date().isoformat())
        return next(a for a in self.list_applications() if a["application_id"] == application_id)

    @tool(phrase=["show the jobs I applied to on Dice", "what is the status of my Dice applications"])
    def list_applications(self) -> list[Application]:
        """The candidate's applications with their status (Applied, Viewed, Rejected), newest first."""
        return self.rows("SELECT application_id, job_id, title, name AS company, applied_date, status FROM"
                         " applications JOIN jobs USING (job_id) JOIN employers USING (employer_id)"
                         " ORDER BY applied_date DESC, application_id")
