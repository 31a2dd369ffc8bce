"""Task templates of WhatsApp: share things with contacts and groups, run groups as an admin, tidy chats."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, call, scenario
from envs.lifestyle.whats_app import WhatsApp

PHOTOS = ["/sdcard/DCIM/Camera/IMG_20260228_1412.jpg", "/sdcard/Pictures/beach_sunset.png",
          "/sdcard/DCIM/Camera/IMG_20260301_0930.jpg", "/sdcard/Download/poster_final.png"]
LINKS = ["https://maps.app.goo.gl/x7QpL2", "https://www.eventbrite.com/e/spring-market-20260314",
         "https://docs.google.com/spreadsheets/d/1kTrip26", "https://www.airbnb.com/rooms/48211733"]
NEW_GROUPS = ["Ski Weekend", "Garden Share", "Pub Quiz Team", "Road Trip Crew", "Baby Shower Plans"]


def contact(world: WhatsApp, rng: random.Random, registered: bool = True, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A saved contact on WhatsApp whose name the contact search finds alone."""
    rows = world.rows("SELECT * FROM people WHERE saved_name IS NOT NULL AND (push_name IS NOT NULL) = ?"
                      " ORDER BY phone", int(registered))
    rows = [r for r in rows if r["phone"] not in skip and len(world.rows(
        "SELECT 1 FROM people WHERE saved_name LIKE ? OR push_name LIKE ?", f"%{r['saved_name']}%",
        f"%{r['saved_name']}%")) == 1]
    return rng.choice(rows)


def find(person: dict[str, Any]) -> Any:
    return call("whatsapp_get_contacts", query=person["saved_name"])


def group(world: WhatsApp, rng: random.Random, admin: bool | None) -> dict[str, Any] | None:
    """A group the user is in (as admin, or not, or either), with its chat's archive flag."""
    rows = world.rows("SELECT g.*, c.archived FROM groups g JOIN chats c ON c.chat_id = g.group_id JOIN members m"
                      " ON m.group_id = g.group_id AND m.phone = (SELECT phone FROM profile)"
                      " WHERE ?1 IS NULL OR m.is_admin = ?1 ORDER BY g.group_id", admin)
    return rng.choice(rows) if rows else None


def chat_named(name: str) -> Any:
    return lambda chats: next(c["phone"] for c in chats if c["name"] == name)


def listing(g: dict[str, Any]) -> Any:
    return call("whatsapp_list_chats", limit=100, archived=bool(g["archived"]))


@scenario
def share_photo(world: WhatsApp, rng: random.Random) -> Draft:
    person, photo = contact(world, rng), rng.choice(PHOTOS)
    caption = rng.choice(["From Saturday", "Look what I found", "The view from the hotel"])
    return Draft(request=f"Send {person['saved_name']} the picture {photo} on WhatsApp with the caption "
                         f"\"{caption}\".",
                 calls=(find(person), call("whatsapp_send_image", phone=Ref(0, "contacts.0.phone"),
                                           image_path=photo, caption=caption)))


@scenario
def link_to_group(world: WhatsApp, rng: random.Random) -> Draft | None:
    g = group(world, rng, None)
    if g is None or g["only_admins_send"]:
        return None
    url = rng.choice(LINKS)
    return Draft(request=f"Post {url} in my '{g['name']}' group with the preview text \"Details here\".",
                 calls=(listing(g), call("whatsapp_send_link", phone=Ref(0, "chats", then=chat_named(g["name"])),
                                         url=url, preview_text="Details here")))


@scenario
def pass_on_number(world: WhatsApp, rng: random.Random) -> Draft:
    shared = contact(world, rng, registered=rng.random() < 0.5)
    to = contact(world, rng, skip=(shared["phone"],))
    return Draft(request=f"{to['saved_name']} asked for {shared['saved_name']}'s number. Send them the contact card.",
                 calls=(find(shared), find(to), call("whatsapp_send_contact", phone=Ref(1, "contacts.0.phone"),
                                                     contact_phone=shared["phone"], contact_name=shared["saved_name"])))


@scenario
def check_then_text(world: WhatsApp, rng: random.Random) -> Draft:
    phone = rng.choice(world.rows("SELECT phone FROM people WHERE saved_name IS NULL AND push_name IS NOT NULL"
                                  " ORDER BY phone"))["phone"]
    return Draft(request=f"Is {phone} on WhatsApp? If so, message them: \"Hi, it's about the bike you're selling\".",
                 calls=(call("whatsapp_check_phone", phone=phone),
                        call("whatsapp_send_text_message", phone=phone,
                             message="Hi, it's about the bike you're selling")))


@scenario
def who_said(world: WhatsApp, rng: random.Random) -> Draft | None:
    person = contact(world, rng)
    sender = person["saved_name"]
    line = f"{rng.choice(['The spare key is', 'I left the tickets', 'Your parcel is'])} under the blue flowerpot"
    return Draft(request=f"Tell {sender} on WhatsApp: \"{line}\". Then check that it went out: what status and "
                         "message id does it have in our chat?",
                 calls=(find(person), call("whatsapp_send_text_message", phone=Ref(0, "contacts.0.phone"),
                                           message=line), call("whatsapp_search_messages", query="blue flowerpot")),
                 answer=(Ref(1, "message_id"),))


@scenario
def unsend(world: WhatsApp, rng: random.Random) -> Draft:
    person = contact(world, rng)
    return Draft(request=f"I texted {person['saved_name']} \"Running late, start without me\" by mistake just now. "
                         "Could you send it and then delete it for everyone? Actually, just send it and unsend it.",
                 calls=(find(person), call("whatsapp_send_text_message", phone=Ref(0, "contacts.0.phone"),
                                           message="Running late, start without me"),
                        call("whatsapp_delete_message", phone=Ref(0, "contacts.0.phone"),
                             message_id=Ref(1, "message_id"), for_everyone=True)))


@scenario
def hide_message(world: WhatsApp, rng: random.Random) -> Draft | None:
    once = world.rows("SELECT m.*, p.saved_name FROM messages m JOIN people p ON p.phone = m.chat_id WHERE"
                      " p.saved_name IS NOT NULL AND m.body IN (SELECT body FROM messages GROUP BY body HAVING"
                      " COUNT(*) = 1) ORDER BY m.message_id")
    if not once:
        return None
    m = rng.choice(once)
    return Draft(request=f"Delete the message \"{m['body']}\" from my chat with {m['saved_name']}, just for me.",
                 calls=(call("whatsapp_search_messages", query=m["body"]),
                        call("whatsapp_delete_message", phone=Ref(0, "messages.0.chat_id"),
                             message_id=Ref(0, "messages.0.message_id"))))


@scenario
def new_group(world: WhatsApp, rng: random.Random) -> Draft:
    a = contact(world, rng)
    b = contact(world, rng, skip=(a["phone"],))
    name = rng.choice(NEW_GROUPS)
    about = f"Planning the {name.lower()} in April"
    return Draft(request=f"Create a WhatsApp group \"{name}\" with {a['saved_name']} and {b['saved_name']}, and "
                         f"set its description to \"{about}\".",
                 calls=(find(a), find(b), call("whatsapp_create_group", name=name,
                                               participants=[Ref(0, "contacts.0.phone"), Ref(1, "contacts.0.phone")]),
                        call("whatsapp_update_group_description", group_id=Ref(2, "group_id"), description=about)))


@scenario
def add_member(world: WhatsApp, rng: random.Random) -> Draft | None:
    g = group(world, rng, True)
    if g is None:
        return None
    inside = {r["phone"] for r in world.rows("SELECT phone FROM members WHERE group_id = ?", g["group_id"])}
    person = contact(world, rng, skip=tuple(inside))
    return Draft(request=f"Add {person['saved_name']} to my '{g['name']}' group.",
                 calls=(find(person), listing(g), call(
                     "whatsapp_add_group_participants", group_id=Ref(1, "chats", then=chat_named(g["name"])),
                     participants=[Ref(0, "contacts.0.phone")])))


@scenario
def remove_member(world: WhatsApp, rng: random.Random) -> Draft | None:
    g = group(world, rng, True)
    if g is None:
        return None
    gone = rng.choice(world.rows("SELECT p.* FROM members m JOIN people p ON p.phone = m.phone WHERE m.group_id = ?"
                                 " AND p.saved_name IS NOT NULL ORDER BY p.phone", g["group_id"]))
    name = gone["saved_name"]
    gid = Ref(0, "chats", then=chat_named(g["name"]))
    return Draft(request=f"Take {name} out of the '{g['name']}' group and tell me how many people are left in it.",
                 calls=(listing(g), call("whatsapp_get_group_info", group_id=gid),
                        call("whatsapp_remove_group_participants", group_id=gid,
                             participants=[Ref(1, "participants", then=lambda ps: next(
                                 p["phone"] for p in ps if p["name"] == name))])),
                 answer=(str(len(world.rows("SELECT 1 FROM members WHERE group_id = ?", g["group_id"])) - 1),))


@scenario
def leave_and_archive(world: WhatsApp, rng: random.Random) -> Draft | None:
    g = group(world, rng, None)
    if g is None or g["archived"]:
        return None
    gid = Ref(0, "chats", then=chat_named(g["name"]))
    return Draft(request=f"I'm done with the '{g['name']}' group: leave it and archive the chat.",
                 calls=(listing(g), call("whatsapp_leave_group", group_id=gid),
                        call("whatsapp_archive_chat", phone=gid, archive=True)))


@scenario
def new_look(world: WhatsApp, rng: random.Random) -> Draft:
    photo, name = rng.choice(PHOTOS), rng.choice(["Sam T.", "Coach Rivera", "Priya (Flat 4B)", "Jo"])
    return Draft(request=f"Make {photo} my WhatsApp profile picture and change my display name to {name}.",
                 calls=(call("whatsapp_change_avatar", avatar_path=photo),
                        call("whatsapp_change_push_name", push_name=name)))


@scenario
def catch_up(world: WhatsApp, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT DISTINCT p.* FROM messages m JOIN people p ON p.phone = m.chat_id WHERE m.status ="
                      " 'delivered' AND m.sender = m.chat_id AND p.saved_name IS NOT NULL ORDER BY p.phone")
    if not rows:
        return None
    person = rng.choice(rows)
    last = world.rows("SELECT body FROM messages WHERE chat_id = ? AND sender = ? ORDER BY timestamp DESC, rowid DESC"
                      " LIMIT 1", person["phone"], person["phone"])[0]["body"]
    return Draft(request=f"What was the last thing {person['saved_name']} wrote to me? Mark our chat as read.",
                 calls=(find(person), call("whatsapp_get_chat_messages", phone=Ref(0, "contacts.0.phone")),
                        call("whatsapp_mark_message_read", phone=Ref(0, "contacts.0.phone"))),
                 answer=(last,))


@scenario
def forward_location(world: WhatsApp, rng: random.Random) -> Draft:
    person = contact(world, rng)
    return Draft(request=f"Send {person['saved_name']} a pin for the trailhead parking at 47.6205, -122.3493, "
                         "named \"Trailhead parking\".",
                 calls=(find(person), call("whatsapp_send_location", phone=Ref(0, "contacts.0.phone"),
                                           latitude=47.6205, longitude=-122.3493, name="Trailhead parking")),
                 ask=())


@scenario
def share_document(world: WhatsApp, rng: random.Random) -> Draft:
    person = contact(world, rng)
    path = rng.choice(["/sdcard/Download/lease_2026.pdf", "/sdcard/Documents/budget_march.xlsx",
                       "/sdcard/Download/boarding_pass_LH441.pdf"])
    return Draft(request=f"Send {path} to {person['saved_name']} on WhatsApp with the note \"Here you go\".",
                 calls=(find(person), call("whatsapp_send_file", phone=Ref(0, "contacts.0.phone"), file_path=path,
                                           caption="Here you go")))


@scenario
def unarchive_and_text(world: WhatsApp, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT p.* FROM chats c JOIN people p ON p.phone = c.chat_id WHERE c.archived = 1"
                      " AND p.saved_name IS NOT NULL ORDER BY p.phone")
    if not rows:
        return None
    person = rng.choice(rows)
    return Draft(request=f"Bring my chat with {person['saved_name']} back from the archive and text them "
                         "\"Long time no see! Coffee next week?\"",
                 calls=(find(person), call("whatsapp_archive_chat", phone=Ref(0, "contacts.0.phone"), archive=False),
                        call("whatsapp_send_text_message", phone=Ref(0, "contacts.0.phone"),
                             message="Long time no see! Coffee next week?")))


@scenario
def rename_group(world: WhatsApp, rng: random.Random) -> Draft | None:
    g = group(world, rng, True)
    if g is None:
        return None
    name = rng.choice(["Summer Hikers", "Flat 4B & Friends", "Sunday League", "The Altos"])
    gid = Ref(0, "chats", then=chat_named(g["name"]))
    return Draft(request=f"Rename my '{g['name']}' group to \"{name}\" and post \"New name, same crew!\" in it.",
                 calls=(listing(g), call("whatsapp_update_group_name", group_id=gid, name=name),
                        call("whatsapp_send_text_message", phone=gid, message="New name, same crew!")))
