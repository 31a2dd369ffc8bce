"""LinkedInJobs: LinkedIn's Jobs tab for one signed-in member: company pages, postings, Easy Apply, saved jobs."""

from __future__ import annotations

import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

ROLES = {  # role -> skills a posting of it asks for
    "Software Engineer": ["Python", "Java", "Go", "AWS", "Kubernetes", "SQL", "Distributed Systems", "React"],
    "Data Scientist": ["Python", "SQL", "Machine Learning", "Statistics", "TensorFlow", "A/B Testing", "Tableau"],
    "Data Engineer": ["Python", "SQL", "Apache Spark", "Airflow", "AWS", "Snowflake", "Kafka"],
    "Product Manager": ["Product Strategy", "Roadmapping", "SQL", "A/B Testing", "Agile", "Stakeholder Management"],
    "Product Designer": ["Figma", "User Research", "Prototyping", "Design Systems", "Interaction Design"],
    "Account Executive": ["Salesforce", "Negotiation", "B2B Sales", "Pipeline Management", "SaaS"],
    "Marketing Manager": ["SEO", "Content Marketing", "HubSpot", "Google Analytics", "Brand Strategy"],
    "Financial Analyst": ["Financial Modeling", "Excel", "Forecasting", "SQL", "Budgeting"],
    "Technical Recruiter": ["Sourcing", "Applicant Tracking Systems", "Interviewing", "Employer Branding"],
    "Customer Success Manager": ["Salesforce", "Account Management", "SaaS", "Onboarding", "Churn Reduction"],
}
LEVELS = {"Junior ": "Entry level", "": "Associate", "Senior ": "Mid-Senior level", "Staff ": "Mid-Senior level",
          "Principal ": "Director"}
TEAMS = ["Payments", "Growth", "Search", "Platform", "Mobile", "Ads", "Identity", "Analytics", "Infrastructure",
         "Marketplace", "Enterprise", "Security", "Billing", "Onboarding", "Logistics", "Health", "Trust & Safety"]
CITIES = [("San Francisco", "CA"), ("New York", "NY"), ("Austin", "TX"), ("Seattle", "WA"), ("Chicago", "IL"),
          ("Boston", "MA"), ("Denver", "CO"), ("Atlanta", "GA"), ("Los Angeles", "CA"), ("Raleigh", "NC")]
INDUSTRIES = ["Software Development", "Financial Services", "Hospital & Health Care", "Retail", "Marketing Services",
              "IT Services and IT Consulting", "Transportation & Logistics", "E-Learning"]
SIZES = ["11-50 employees", "51-200 employees", "201-500 employees", "501-1,000 employees",
         "1,001-5,000 employees", "5,001-10,000 employees", "10,001+ employees"]
JOB_TYPES = ("Full-time", "Part-time", "Contract", "Temporary", "Internship")
WORKPLACES = ("On-site", "Hybrid", "Remote")
MEMBER = "jordan-avery-4821"
JobType = Literal["Full-time", "Part-time", "Contract", "Temporary", "Internship"]
Workplace = Literal["On-site", "Hybrid", "Remote"]
Level = Literal["Entry level", "Associate", "Mid-Senior level", "Director"]
JobId = Annotated[str, Field(pattern=r"^\d{10}$")]
CompanyId = Annotated[str, Field(pattern=r"^\d{3,9}$")]


JobCard = TypedDict("JobCard", {"job_id": str, "title": str, "company": str, "company_id": str, "location": str,
    "workplace_type": str, "posted_date": str, "easy_apply": bool})
JobSearch = TypedDict("JobSearch", {"jobs": list[JobCard], "total_count": int})
JobDetails = TypedDict("JobDetails", {**JobCard.__annotations__, "description": str, "employment_type": str,
    "experience_level": str, "industries": list[str], "skills": list[str], "applicants": int,
    "accepting_applications": bool, "application_url": str, "saved": bool, "applied": bool})
CompanyJobs = TypedDict("CompanyJobs", {"company_name": str, "jobs": list[JobCard]})
Recommended = TypedDict("Recommended", {**JobCard.__annotations__, "matched_skills": list[str]})
Recommendations = TypedDict("Recommendations", {"jobs": list[Recommended]})
CompanyInfo = TypedDict("CompanyInfo", {"company_id": str, "name": str, "description": str, "industry": str,
    "company_size": str, "headquarters": str, "website": str, "follower_count": int, "following": bool})
CompanyCard = TypedDict("CompanyCard", {"company_id": str, "name": str, "industry": str, "headquarters": str})
Profile = TypedDict("Profile", {"user_id": str, "name": str, "headline": str, "location": str, "phone": str,
    "skills": list[str]})
MyJob = TypedDict("MyJob", {"job_id": str, "title": str, "company": str, "status": str, "date": str,
    "accepting_applications": bool})
Application = TypedDict("Application", {"application_id": str, "job_id": str, "title": str, "company": str,
    "applied_date": str, "status": str})
Saved = TypedDict("Saved", {"job_id": str, "title": str, "saved": bool})
Follow = TypedDict("Follow", {"company_id": str, "name": str, "following": bool, "follower_count": int})

CARD = ("SELECT jobs.job_id, jobs.title, companies.name AS company, jobs.company_id, jobs.location,"
        " jobs.workplace_type, jobs.posted_date, jobs.easy_apply FROM jobs JOIN companies USING (company_id)")


def cards(rows: list[dict[str, Any]]) -> list[Any]:
    return [{**r, "easy_apply": bool(r["easy_apply"])} for r in rows]


class LinkedInJobs(World):
    """LinkedIn Jobs for the signed-in member: search postings (location, workplace type On-site/Hybrid/Remote,
    seniority), company pages, recommendations from the profile's skills, saved jobs, Easy Apply (one application
    per job; postings no longer accepting applications refuse) and company follows."""

    domain = "Office"
    schema = """
    CREATE TABLE companies (company_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL,
        industry TEXT NOT NULL, company_size TEXT NOT NULL, headquarters TEXT NOT NULL, website TEXT NOT NULL,
        follower_count INTEGER NOT NULL, following INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE jobs (job_id TEXT PRIMARY KEY, company_id TEXT NOT NULL REFERENCES companies, title TEXT NOT NULL
        UNIQUE, description TEXT NOT NULL, location TEXT NOT NULL, city TEXT NOT NULL, workplace_type TEXT NOT NULL,
        employment_type TEXT NOT NULL, experience_level TEXT NOT NULL, posted_date TEXT NOT NULL, applicants
        INTEGER NOT NULL, easy_apply INTEGER NOT NULL, state TEXT NOT NULL CHECK (state IN ('open', 'closed')));
    CREATE INDEX jobs_by_company ON jobs (company_id, posted_date);
    CREATE INDEX jobs_by_city ON jobs (city COLLATE NOCASE);
    CREATE INDEX jobs_by_posted ON jobs (state, posted_date);
    CREATE TABLE job_skills (job_id TEXT NOT NULL REFERENCES jobs, skill TEXT NOT NULL, PRIMARY KEY (job_id, skill));
    CREATE INDEX job_skills_by_skill ON job_skills (skill);
    CREATE TABLE profile (user_id TEXT PRIMARY KEY, name TEXT NOT NULL, headline TEXT NOT NULL, location TEXT NOT NULL,
        phone TEXT NOT NULL);
    CREATE TABLE profile_skills (skill TEXT PRIMARY KEY COLLATE NOCASE);
    CREATE TABLE saved_jobs (job_id TEXT PRIMARY KEY REFERENCES jobs, saved_at TEXT NOT NULL);
    CREATE TABLE applications (application_id TEXT PRIMARY KEY, job_id TEXT NOT NULL UNIQUE REFERENCES jobs,
        phone TEXT NOT NULL, resume TEXT NOT NULL, applied_at TEXT NOT NULL, status TEXT NOT NULL);
    """
    volatile = {"saved_jobs": ("saved_at",), "applications": ("applied_at",)}
    text_search = {"jobs": ("title", "description"), "companies": ("name", "industry", "description")}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        companies: dict[str, dict[str, Any]] = {}
        while len(companies) < 30:
            name = fake.company().replace(",", "")
            city, st = rng.choice(CITIES)
            slug = "".join(ch for ch in name.lower() if ch.isalnum())
            companies[name] = {"company_id": str(rng.randrange(1000, 99_999_999)), "name": name,
                               "description": f"{name}: {fake.catch_phrase()}.", "industry": rng.choice(INDUSTRIES),
                               "company_size": rng.choice(SIZES), "headquarters": f"{city}, {st}",
                               "website": f"https://www.{slug}.com", "follower_count": rng.randrange(200, 250_000),
                               "following": int(rng.random() < 0.15)}
        titles = {f"{level}{role}, {team}": (level, role) for level in LEVELS for role in ROLES for team in TEAMS}
        jobs, skills = [], []
        for number, title in enumerate(rng.sample(sorted(titles), 140)):
            level, role = titles[title]
            company = rng.choice(list(companies.values()))
            workplace = rng.choices(WORKPLACES, weights=[4, 4, 2])[0]
            city, st = rng.choice(CITIES)
            job_id = str(rng.randrange(3_700_000_000, 4_000_000_000))
            jobs.append({"job_id": job_id, "company_id": company["company_id"], "title": title,
                         "description": f"{company['name']} is hiring a {title}. {fake.paragraph(nb_sentences=3)}",
                         "location": "United States" if workplace == "Remote" else f"{city}, {st}",
                         "city": "Remote" if workplace == "Remote" else city, "workplace_type": workplace,
                         "employment_type": rng.choices(JOB_TYPES, weights=[16, 1, 3, 1, 1])[0],
                         "experience_level": LEVELS[level],
                         "posted_date": cls.days_before_start(rng, 0, 45).isoformat(),
                         "applicants": rng.randrange(0, 600), "easy_apply": int(rng.random() < 0.7),
                         "state": "closed" if number % 9 == 4 else "open"})
            wanted = rng.sample(ROLES[role], rng.randrange(3, len(ROLES[role])))
            skills += [{"job_id": job_id, "skill": s} for s in wanted]
        db["companies"].insert_all(companies.values())
        db["jobs"].insert_all(jobs)
        db["job_skills"].insert_all(skills)
        db["profile"].insert({"user_id": MEMBER, "name": "Jordan Avery", "location": "Austin, TX",
                              "phone": "+1 512 555 0148",
                              "headline": "Data Engineer | Python, SQL, Spark | Open to work"})
        db["profile_skills"].insert_all({"skill": s} for s in ["Python", "SQL", "Apache Spark", "Airflow", "Tableau"])
        closed = [j for j in jobs if j["state"] == "closed"]
        db["saved_jobs"].insert_all({"job_id": j["job_id"], "saved_at": cls.days_before_start(rng, 1, 20).isoformat()}
                                    for j in rng.sample([j for j in jobs if j not in closed], 6)
                                    + rng.sample(closed, 2))

    # ------------------------------------------------------------------ helpers
    def _job(self, job_id: str) -> dict[str, Any]:
        return self.require(CARD.replace(" FROM", ", state, applicants, jobs.description, employment_type,"
                                         " experience_level, industry, website FROM") + " WHERE job_id = ?",
                            job_id, error=f"no job posting with id '{job_id}'; search_jobs shows the ids")

    def _company(self, company_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM companies WHERE company_id = ?", company_id,
                            error=f"no company page with id '{company_id}'; search_companies shows the ids")

    def _my_jobs(self) -> list[dict[str, Any]]:
        return self.rows(
            "SELECT job_id, title, name AS company, 'saved' AS status, s.saved_at AS date, state"
            " FROM saved_jobs s JOIN jobs USING (job_id) JOIN companies USING (company_id) UNION ALL"
            " SELECT job_id, title, name, 'applied', a.applied_at, state FROM applications a"
            " JOIN jobs USING (job_id) JOIN companies USING (company_id) ORDER BY 5 DESC, 1")

    # -------------------------------------------------------------------- reads
    @tool(phrase=["search LinkedIn jobs for {keywords}[ in {location}][ ({job_type})][, {workplace_type} only]"
                  "[ at the {experience_level} level]",
                  "find {keywords} openings[ around {location}][ that are {workplace_type}][, {job_type}]"])
    def search_jobs(self, keywords: NonEmptyStr, location: str | None = None,
                    job_type: JobType | None = None, workplace_type: Workplace | None = None,
                    experience_level: Level | None = None,
                    count: Annotated[int, Field(ge=1, le=50)] = 25) -> JobSearch:
        """Search open job postings by keywords in the title or description, newest first.

        Args:
            keywords: Words to look for, e.g. "data engineer".
            location: A city ("Austin"), "City, ST", or "Remote"/"United States" for remote postings.
            job_type: Employment type.
            workplace_type: On-site, Hybrid or Remote.
            experience_level: Seniority of the role.
            count: At most this many postings (the total is still counted).
        """
        matches, params = self.text_filter("jobs", keywords)
        place = location.strip().split(",")[0] if location else None
        found = self.rows(
            f"{CARD} WHERE {matches} AND jobs.state = 'open' AND (? IS NULL OR jobs.city = ? COLLATE NOCASE"
            " OR jobs.location = ? COLLATE NOCASE) AND (? IS NULL OR jobs.employment_type = ?) AND (? IS NULL OR"
            " jobs.workplace_type = ?) AND (? IS NULL OR jobs.experience_level = ?)"
            " ORDER BY jobs.posted_date DESC, jobs.job_id",
            *params, place, place, location, job_type, job_type, workplace_type, workplace_type, experience_level,
            experience_level)
        return {"jobs": cards(found[:count]), "total_count": len(found)}

    @tool(phrase=["show me the details of {job_id}", "pull up {job_id}"])
    def get_job_details(self, job_id: JobId) -> JobDetails:
        """Get a job posting: description, seniority, skills, applicant count and whether it still accepts
        applications, plus whether the member saved or applied to it.

        Args:
            job_id: The posting's 10-digit job id.
        """
        job = self._job(job_id)
        return {**cards([{k: job[k] for k in JobCard.__annotations__}])[0], "description": job["description"],
                "employment_type": job["employment_type"], "experience_level": job["experience_level"],
                "industries": [job["industry"]], "applicants": job["applicants"],
                "skills": [r["skill"] for r in self.rows("SELECT skill FROM job_skills WHERE job_id = ? ORDER BY"
                                                         " skill", job_id)],
                "accepting_applications": job["state"] == "open",
                "application_url": f"https://www.linkedin.com/jobs/view/{job_id}/" if job["easy_apply"]
                else f"{job['website']}/careers/{job_id}",
                "saved": self.row("SELECT 1 FROM saved_jobs WHERE job_id = ?", job_id) is not None,
                "applied": self.row("SELECT 1 FROM applications WHERE job_id = ?", job_id) is not None}

    @tool(phrase=["find the company page of {keywords}", "look up companies matching {keywords}"])
    def search_companies(self, keywords: NonEmptyStr) -> list[CompanyCard]:
        """Find company pages by name, industry or description.

        Args:
            keywords: Text to look for, e.g. a company name.
        """
        matches, params = self.text_filter("companies", keywords)
        return self.rows(f"SELECT company_id, name, industry, headquarters FROM companies WHERE {matches}"
                         " ORDER BY name LIMIT 20", *params)

    @tool(phrase=["list the open jobs at {company_id}", "show me[ the latest {count}] openings at {company_id}"])
    def get_company_jobs(self, company_id: CompanyId, count: Annotated[int, Field(ge=1, le=50)] = 10) -> CompanyJobs:
        """A company's open postings, newest first.

        Args:
            company_id: The company's id.
            count: At most this many postings.
        """
        company = self._company(company_id)
        return {"company_name": company["name"], "jobs": cards(self.rows(
            f"{CARD} WHERE company_id = ? AND state = 'open' ORDER BY posted_date DESC, job_id LIMIT ?",
            company_id, count))}

    @tool(phrase=["tell me about {company_id}", "look up the company page of {company_id}"])
    def get_company_info(self, company_id: CompanyId) -> CompanyInfo:
        """A company page: industry, size, headquarters, website, followers and whether the member follows it.

        Args:
            company_id: The company's id.
        """
        company = self._company(company_id)
        return {**company, "following": bool(company["following"])}

    @tool(phrase=["show me my LinkedIn profile", "what skills are on my profile"])
    def get_profile(self) -> Profile:
        """The signed-in member's profile with the skills recommendations are based on."""
        return {**self.row("SELECT * FROM profile"),
                "skills": [r["skill"] for r in self.rows("SELECT skill FROM profile_skills ORDER BY skill")]}

    @tool(phrase=["show me jobs recommended for me", "show me which jobs match my skills"])
    def get_recommended_jobs(self, user_id: Annotated[str, UserKnown] | None = None) -> Recommendations:
        """Open postings that share skills with the member's profile, best overlap first (at most 10; jobs
        already applied to are left out).

        Args:
            user_id: The member's public profile id (only the signed-in member's own recommendations exist).
        """
        if user_id is not None and user_id.strip() != MEMBER:
            raise ToolError(f"recommendations are private; you are signed in as '{MEMBER}'")
        found = self.rows(
            f"{CARD.replace(' FROM', ', group_concat(s.skill) AS matched FROM')} JOIN job_skills s ON s.job_id ="
            " jobs.job_id JOIN profile_skills p ON p.skill = s.skill WHERE jobs.state = 'open' AND jobs.job_id NOT IN"
            " (SELECT job_id FROM applications) GROUP BY jobs.job_id ORDER BY COUNT(*) DESC, jobs.posted_date DESC,"
            " jobs.job_id LIMIT 10")
        return {"jobs": [{**card, "matched_skills": sorted(row["matched"].split(","))}
                         for row in found for card in cards([{k: row[k] for k in JobCard.__annotations__}])]}

    @tool(phrase=["show my saved and applied jobs", "list the jobs I saved or applied to"])
    def list_my_jobs(self, status: Literal["saved", "applied"] | None = None) -> list[MyJob]:
        """The member's saved jobs and applications (My Jobs), most recent first.

        Args:
            status: Only saved jobs or only applications.
        """
        return [{**{k: r[k] for k in ("job_id", "title", "company", "status", "date")},
                 "accepting_applications": r["state"] == "open"}
                for r in self._my_jobs() if status in (None, r["status"])]

    # ------------------------------------------------------------------- writes
    @tool(writes=True, phrase=["save {job_id} for later", "bookmark {job_id} so I can come back to it"])
    def save_job(self, job_id: JobId) -> Saved:
        """Save a posting to My Jobs.

        Args:
            job_id: The posting's job id.
        """
        job = self._job(job_id)
        if self.row("SELECT 1 FROM applications WHERE job_id = ?", job_id):
            raise ToolError(f"you already applied to '{job['title']}'; it is under your applied jobs")
        if self.row("SELECT 1 FROM saved_jobs WHERE job_id = ?", job_id):
            raise ToolError(f"'{job['title']}' is already in your saved jobs")
        self.execute("INSERT INTO saved_jobs VALUES (?, ?)", job_id, self.now().date().isoformat())
        return {"job_id": job_id, "title": job["title"], "saved": True}

    @tool(writes=True, phrase=["unsave {job_id}", "take {job_id} off my saved jobs"])
    def unsave_job(self, job_id: JobId) -> Saved:
        """Remove a posting from the saved jobs.

        Args:
            job_id: The posting's job id.
        """
        job = self._job(job_id)
        if not self.execute("DELETE FROM saved_jobs WHERE job_id = ?", job_id):
            raise ToolError(f"'{job['title']}' is not in your saved jobs; list_my_jobs shows them")
        return {"job_id": job_id, "title": job["title"], "saved": False}

    @tool(writes=True, phrase=["Easy Apply to {job_id} with my phone number {phone}[ and the resume {resume}]",
                               "apply for {job_id}; my phone is {phone}[, use the resume {resume}]"])
    def apply_to_job(self, job_id: JobId, phone: Annotated[str, UserKnown, Field(pattern=r"^\+?[\d\s()-]{7,20}$")],
                     resume: Annotated[str, Field(pattern=r"^[\w .-]+\.(pdf|docx)$")] = "Resume.pdf") -> Application:
        """Submit an Easy Apply application (one per job); a saved job moves to applied.

        Args:
            job_id: The posting's job id.
            phone: Mobile number for the recruiter.
            resume: File name of the resume to attach (PDF or DOCX).
        """
        job = self._job(job_id)
        if job["state"] != "open":
            raise ToolError(f"'{job['title']}' is no longer accepting applications")
        if not job["easy_apply"]:
            raise ToolError(f"'{job['title']}' has no Easy Apply; apply on the company site: "
                            f"{job['website']}/careers/{job_id}")
        if (done := self.value("SELECT applied_at FROM applications WHERE job_id = ?", job_id)) is not None:
            raise ToolError(f"you already applied to '{job['title']}' on {done}; one application per job")
        application_id = self.new_id("applications", "app_")
        self.execute("INSERT INTO applications VALUES (?, ?, ?, ?, ?, 'submitted')", application_id, job_id,
                     phone.strip(), resume, self.now().date().isoformat())
        self.execute("DELETE FROM saved_jobs WHERE job_id = ?", job_id)
        self.execute("UPDATE jobs SET applicants = applicants + 1 WHERE job_id = ?", job_id)
        return {"application_id": application_id, "job_id": job_id, "title": job["title"], "company": job["company"],
                "applied_date": self.now().date().isoformat(), "status": "submitted"}

    def _set_follow(self, company_id: str, follow: bool) -> Follow:
        company = self._company(company_id)
        if bool(company["following"]) == follow:
            raise ToolError(f"you {'already follow' if follow else 'do not follow'} {company['name']}")
        change = 1 if follow else -1
        self.execute("UPDATE companies SET following = ?, follower_count = follower_count + ? WHERE company_id = ?",
                     int(follow), change, company_id)
        return {"company_id": company_id, "name": company["name"], "following": follow,
                "follower_count": company["follower_count"] + change}

    @tool(writes=True, phrase=["follow {company_id}", "follow the company page of {company_id}"])
    def follow_company(self, company_id: CompanyId) -> Follow:
        """Follow a company page to see its updates and new jobs.

        Args:
            company_id: The company's id.
        """
        return self._set_follow(company_id, True)

    @tool(writes=True, phrase=["unfollow {company_id}", "stop following {company_id}"])
    def unfollow_company(self, company_id: CompanyId) -> Follow:
        """Stop following a company page.

        Args:
            company_id: The company's id.
        """
        return self._set_follow(company_id, False)

    @tool(writes=True, phrase=["add {skill} to the skills on my profile", "list {skill} as a skill on my profile"])
    def add_profile_skill(self, skill: Annotated[str, Field(min_length=2, max_length=80, pattern=r"\S")]) -> Profile:
        """Add a skill to the member's profile (at most 50 skills); recommendations follow the skills.

        Args:
            skill: The skill, e.g. "Kubernetes".
        """
        if self.row("SELECT 1 FROM profile_skills WHERE skill = ?", skill.strip()):
            raise ToolError(f"'{skill.strip()}' is already on your profile")
        if self.value("SELECT COUNT(*) FROM profile_skills") >= 50:
            raise ToolError("a profile lists at most 50 skills; remove one first")
        self.execute("INSERT INTO profile_skills VALUES (?)", skill.strip())
        return self.get_profile()
