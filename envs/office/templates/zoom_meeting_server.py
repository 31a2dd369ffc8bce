"""Task templates of ZoomMeetingServer: recovering trashed recordings and checking a host's recording files."""

from __future__ import annotations

import random

from envfactory_gym.core.tasks import Draft, call, scenario
from envs.office.zoom_meeting_server import ZoomMeetingServer


@scenario
def recover_trashed(world: ZoomMeetingServer, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT * FROM recordings WHERE status = 'trashed' AND topic IN (SELECT topic FROM recordings"
                      " GROUP BY topic HAVING COUNT(*) = 1) ORDER BY meeting_id")
    if not rows:
        return None
    found = rng.choice(rows)
    day = found["recording_start"][:10]
    return Draft(request=f"I deleted the recording of '{found['topic']}' from {day} on {found['host_id']}'s account"
                         " by mistake. Please get it back.",
                 calls=(call("list_recordings", user_id=found["host_id"], from_date=day, to=day, trash=True),
                        call("recover_recording", meeting_id=found["meeting_id"])))


@scenario
def trash_largest(world: ZoomMeetingServer, rng: random.Random) -> Draft | None:
    hosts = world.rows("SELECT host_id FROM recordings WHERE status = 'completed' GROUP BY host_id"
                       " HAVING COUNT(*) >= 2 ORDER BY host_id")
    if not hosts:
        return None
    host = rng.choice(hosts)["host_id"]
    result = world.list_recordings(host, "2025-12-01")
    if len(result["recordings"]) < 2:
        return None
    biggest = max(result["recordings"], key=lambda r: r["total_size"])
    return Draft(request=f"{host} is running out of cloud storage. Move their biggest recording since 2025-12-01 to"
                         " the trash and tell me which meeting it was.",
                 calls=(call("list_recordings", user_id=host, from_date="2025-12-01"),
                        call("delete_recording", meeting_id=biggest["meeting_id"], action="trash")),
                 answer=(biggest["topic"],))
