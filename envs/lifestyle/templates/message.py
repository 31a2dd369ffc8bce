"""Task templates of the Message environment: a requester signs in by username, then reads, sends or tidies up."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from envfactory_gym.core.tasks import Call, Draft, Ref, UserFact, call, scenario
from envfactory_gym.core.world import like_pattern
from envs.lifestyle.message import TIME_FORMAT, Message, period_start


# -------------------------------------------------------------------------------------------------- helpers
def message_ids(rows: list[dict[str, Any]]) -> list[int]:
    """The ids of listed messages (for Ref)."""
    return [row["message_id"] for row in rows]


def account(world: Message, rng: random.Random, where: str) -> dict[str, Any] | None:
    """A user (the requester) satisfying an SQL condition on ``u``, or None."""
    users = world.rows(f"SELECT * FROM users u WHERE {where} ORDER BY user_id")
    return rng.choice(users) if users else None


def pair(world: Message, rng: random.Random, where: str,
         others: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """A requester satisfying ``where`` (on ``u``) and one of the users the query ``others`` lists for their id."""
    me = account(world, rng, where)
    if me is None:
        return None
    return me, rng.choice(world.rows(others, me["user_id"]))


def with_contact(world: Message, rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """A requester with contacts, and one of their contacts."""
    return pair(world, rng, "EXISTS (SELECT 1 FROM contacts WHERE owner_id = u.user_id)",
                "SELECT u.* FROM contacts c JOIN users u ON u.user_id = c.contact_id"
                " WHERE c.owner_id = ? ORDER BY u.user_id")


def with_sender(world: Message, rng: random.Random,
                unread: bool = False) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """A requester who received messages (unread ones, if asked), and someone who sent them one."""
    only_unread = " AND m.is_read = 0" if unread else ""
    return pair(world, rng, f"EXISTS (SELECT 1 FROM messages m WHERE m.receiver_id = u.user_id{only_unread})",
                "SELECT DISTINCT u.* FROM messages m JOIN users u ON u.user_id = m.sender_id"
                f" WHERE m.receiver_id = ?{only_unread} ORDER BY u.user_id")


def sign_in(user: dict[str, Any]) -> tuple[Call, ...]:
    """The gold calls logging the requester in (their id is looked up from their username)."""
    return call("get_user_id", username=user["username"]), call("login", user_id=Ref(0, "user_id"))


def inbox(world: Message, me: str, sender_id: str) -> list[dict[str, Any]]:
    """Messages ``sender_id`` sent to ``me``, newest first."""
    return world.rows("SELECT * FROM messages WHERE receiver_id = ? AND sender_id = ?"
                      " ORDER BY sent_at DESC, message_id DESC", me, sender_id)


def unique_by_name(world: Message, user: dict[str, Any]) -> bool:
    """Whether list_users with this display name as the query finds only this user."""
    return len(world.list_users(query=user["display_name"])) == 1


# ------------------------------------------------------------------------------------------------ templates
@scenario
def confirm_login(world: Message, rng: random.Random) -> Draft | None:
    me = account(world, rng, "1")
    if me is None:
        return None
    return Draft(
        request=rng.choice([
            "Sign me in as @{me}, then check the login status to be sure it worked and tell me my user id.",
            "Log in to my account ({me}) and confirm I'm logged in: which user id does the session show?",
        ]).format(me=me["username"]),
        calls=(call("get_user_id", username=me["username"]), call("login", user_id=Ref(0, "user_id")),
               call("check_login_status")),
        answer=(Ref(2, "user_id"),))


@scenario
def latest_from_friend(world: Message, rng: random.Random) -> Draft | None:
    found = with_sender(world, rng)
    if found is None:
        return None
    me, friend = found
    if not unique_by_name(world, friend):
        return None
    latest = inbox(world, me["user_id"], friend["user_id"])[0]
    return Draft(
        request=rng.choice([
            "I'm {me} on here. What was the last thing {friend} wrote to me?",
            "My username is {me}. Can you check what {friend}'s most recent message to me says?",
        ]).format(me=me["username"], friend=friend["display_name"]),
        calls=(*sign_in(me), call("list_users", query=friend["display_name"]),
               call("view_inbox", sender_id=Ref(2, "0.user_id"), limit=1),
               call("get_message", message_id=Ref(3, "0.message_id"))),
        answer=(latest["body"],))


@scenario
def last_sent_to(world: Message, rng: random.Random) -> Draft | None:
    found = pair(world, rng, "EXISTS (SELECT 1 FROM messages WHERE sender_id = u.user_id)",
                 "SELECT DISTINCT u.* FROM messages m JOIN users u ON u.user_id = m.receiver_id"
                 " WHERE m.sender_id = ? ORDER BY u.user_id")
    if found is None:
        return None
    me, friend = found
    last = world.row("SELECT * FROM messages WHERE sender_id = ? AND receiver_id = ?"
                     " ORDER BY sent_at DESC, message_id DESC", me["user_id"], friend["user_id"])
    return Draft(
        request=rng.choice([
            "I'm {me}. What exactly was the last message I sent to @{friend}, and when did I send it?",
            "Username {me}. Remind me of the full text of my latest message to {friend} and its date and time.",
        ]).format(me=me["username"], friend=friend["username"]),
        calls=(*sign_in(me), call("get_user_id", username=friend["username"]),
               call("view_sent_messages", receiver_id=Ref(2, "user_id"), limit=1),
               call("get_message", message_id=Ref(3, "0.message_id"))),
        answer=(last["body"], last["sent_at"]))


@scenario
def message_contact(world: Message, rng: random.Random) -> Draft | None:
    found = with_contact(world, rng)
    if found is None:
        return None
    me, friend = found
    text = rng.choice(["Are you free for a call tonight?", "I'll bring the snacks on Saturday.",
                       "Can you pick up some milk on the way?", "Congrats on the new job!",
                       "Don't forget the meeting moved to 3pm."])
    return Draft(
        request=rng.choice([
            "Log in as {me} and message {friend}: \"{text}\"",
            "This is {me}. Please send @{friend} this exact text: \"{text}\"",
        ]).format(me=me["username"], friend=friend["username"], text=text),
        calls=(*sign_in(me), call("get_user_id", username=friend["username"]),
               call("send_message", receiver_id=Ref(2, "user_id"), message=text)))


@scenario
def message_new_person(world: Message, rng: random.Random) -> Draft | None:
    found = pair(world, rng, "EXISTS (SELECT 1 FROM users o WHERE o.user_id != u.user_id AND o.user_id NOT IN"
                             " (SELECT contact_id FROM contacts WHERE owner_id = u.user_id))",
                 "SELECT * FROM users WHERE user_id != ?1 AND user_id NOT IN"
                 " (SELECT contact_id FROM contacts WHERE owner_id = ?1) ORDER BY user_id")
    if found is None:
        return None
    me, stranger = found
    text = rng.choice(["Hi! We met at the conference last week, great to connect.",
                       "Hey, I'm the new neighbour from 4B. Nice to meet you!",
                       "Hi, I found your keys at the cafe. Want me to drop them off?"])
    return Draft(
        request=rng.choice([
            "My account is {me}. Send {user} (username {handle}) this: \"{text}\"",
            "I'm {me}. I'd like to reach {handle} for the first time with: \"{text}\"",
        ]).format(me=me["username"], user=stranger["display_name"], handle=stranger["username"], text=text),
        calls=(*sign_in(me), call("add_contact", username=stranger["username"]),
               call("send_message", receiver_id=Ref(2, "user_id"), message=text)))


@scenario
def delete_sent_message(world: Message, rng: random.Random) -> Draft | None:
    me = account(world, rng, "EXISTS (SELECT 1 FROM messages WHERE sender_id = u.user_id)")
    if me is None:
        return None
    sent = world.rows("SELECT m.*, u.display_name FROM messages m JOIN users u ON u.user_id = m.receiver_id"
                      " WHERE m.sender_id = ? ORDER BY m.message_id", me["user_id"])
    message = rng.choice(sent)
    same_text = world.value("SELECT COUNT(*) FROM messages WHERE (sender_id = ?1 OR receiver_id = ?1)"
                            " AND body LIKE ?2 ESCAPE '\\'", me["user_id"], like_pattern(message["body"]))
    if same_text != 1:
        return None
    return Draft(
        request=rng.choice([
            "I'm {me}. Delete the message I sent {friend} that says \"{body}\"",
            "Username {me} here. Please remove my message \"{body}\" to {friend} from my mailbox.",
        ]).format(me=me["username"], friend=message["display_name"], body=message["body"]),
        calls=(*sign_in(me), call("search_messages", keyword=message["body"]),
               call("delete_message", message_id=Ref(2, "0.message_id"))))


@scenario
def mark_friend_read(world: Message, rng: random.Random) -> Draft | None:
    found = with_sender(world, rng, unread=True)
    if found is None:
        return None
    me, friend = found
    return Draft(
        request=rng.choice([
            "I'm {me}. Mark everything unread from @{friend} as read.",
            "Log in as {me} and mark all of {friend}'s unread messages to me as read, please.",
        ]).format(me=me["username"], friend=friend["username"]),
        calls=(*sign_in(me), call("get_user_id", username=friend["username"]),
               call("view_inbox", sender_id=Ref(2, "user_id"), unread_only=True),
               call("mark_as_read", message_ids=Ref(3, then=message_ids))))


@scenario
def unread_senders(world: Message, rng: random.Random) -> Draft | None:
    me = account(world, rng, "EXISTS (SELECT 1 FROM messages WHERE receiver_id = u.user_id AND is_read = 0)")
    if me is None:
        return None
    names = world.rows("SELECT DISTINCT u.display_name FROM messages m JOIN users u ON u.user_id = m.sender_id"
                       " WHERE m.receiver_id = ? AND m.is_read = 0 ORDER BY u.display_name", me["user_id"])
    return Draft(
        request=rng.choice(["Who has sent me messages I haven't read yet? Please log into my account to check.",
                            "Can you check my messages and tell me who I have unread messages from?"]),
        calls=(*sign_in(me), call("view_inbox", unread_only=True, limit=100)),
        answer=tuple(n["display_name"] for n in names),
        ask=(UserFact("username", me["username"], ("username", "user name", "account", "handle", "log in")),))


@scenario
def top_conversation(world: Message, rng: random.Random) -> Draft | None:
    me = account(world, rng, "EXISTS (SELECT 1 FROM messages WHERE u.user_id IN (sender_id, receiver_id))")
    if me is None:
        return None
    since = period_start(world.start_time, "month").strftime(TIME_FORMAT)
    counts = Counter(row["other"] for row in world.rows(
        "SELECT u.display_name AS other FROM messages m JOIN users u"
        " ON u.user_id = CASE WHEN m.sender_id = ?1 THEN m.receiver_id ELSE m.sender_id END"
        " WHERE (m.sender_id = ?1 OR m.receiver_id = ?1) AND m.sent_at >= ?2", me["user_id"], since))
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    top_username = world.value("SELECT username FROM users WHERE display_name = ?", ranked[0][0])
    return Draft(
        request=rng.choice([
            "I'm {me}. Who have I been messaging with the most over the past month, and how many messages?",
            ("Username {me}. Over the last 30 days, which person did I exchange the most messages with?"
             " Include the count."),
        ]).format(me=me["username"]),
        calls=(*sign_in(me), call("get_message_stats", time_period="month")),
        answer=(top_username, str(ranked[0][1])))


@scenario
def clear_from_sender(world: Message, rng: random.Random) -> Draft | None:
    found = with_sender(world, rng)
    if found is None:
        return None
    me, friend = found
    received = inbox(world, me["user_id"], friend["user_id"])
    if len(received) > 3 or not unique_by_name(world, friend):
        return None
    return Draft(
        request=rng.choice([
            "I'm {me}. Delete every message {friend} has sent me.",
            "Please log in as {me} and clear out all the messages I got from {friend}.",
        ]).format(me=me["username"], friend=friend["display_name"]),
        calls=(*sign_in(me), call("list_users", query=friend["display_name"]),
               call("view_inbox", sender_id=Ref(2, "0.user_id")),
               *(call("delete_message", message_id=Ref(3, f"{index}.message_id"))
                 for index in range(len(received)))))


@scenario
def drop_contact(world: Message, rng: random.Random) -> Draft | None:
    found = with_contact(world, rng)
    if found is None:
        return None
    me, friend = found
    return Draft(
        request=rng.choice(["I'm {me}. Please take {friend} off my contact list.",
                            "Remove {friend} from my contacts (my username is {me})."]
                           ).format(me=me["username"], friend=friend["display_name"]),
        calls=(*sign_in(me), call("list_contacts"), call("remove_contact", username=friend["username"])))


@scenario
def reply_to_latest(world: Message, rng: random.Random) -> Draft | None:
    me = account(world, rng, "EXISTS (SELECT 1 FROM messages WHERE receiver_id = u.user_id)")
    if me is None:
        return None
    latest = world.row("SELECT * FROM messages WHERE receiver_id = ? ORDER BY sent_at DESC, message_id DESC",
                       me["user_id"])
    is_contact = world.value("SELECT 1 FROM contacts WHERE owner_id = ? AND contact_id = ?", me["user_id"],
                             latest["sender_id"])
    if not is_contact:
        return None
    reply = rng.choice(["Sounds great, count me in!", "Sorry, I can't make it this time.",
                        "Let me get back to you tomorrow."])
    return Draft(
        request=(f"I'm {me['username']}. Reply to the most recent message in my inbox; I'll tell you what to"
                 " say."),
        calls=(*sign_in(me), call("view_inbox", limit=1),
               call("send_message", receiver_id=Ref(2, "0.sender_id"), message=reply)),
        ask=(UserFact("reply", reply, ("reply", "say", "text", "write")),))
