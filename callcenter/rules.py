"""Object rules of 120 Dasan, registered with ``rules`` (checked by the services)."""

import rules

from civicportal.accounts.permissions import (
    is_administrator,
    is_citizen,
    is_counsellor,
    is_monitor,
    is_supervisor,
    member_of,
)


@rules.predicate
def is_caller(user, contact):
    return contact is not None and contact.caller_id is not None and contact.caller_id == user.pk


@rules.predicate
def is_own_open_contact(user, contact):
    return contact is not None and contact.counsellor_id == user.pk and contact.status == "open"


@rules.predicate
def is_officer_of_transfer(user, contact):
    """Officers see the contacts the centre transferred to their department."""
    return contact is not None and member_of(user, contact.transferred_to_id)


# A lead counsellor (head of a department, i.e. the call-centre supervisor) looks after the knowledge base.
is_lead_counsellor = is_counsellor & is_supervisor

rules.add_perm("callcenter.log_contact", is_counsellor)
rules.add_perm("callcenter.send_web_message", is_citizen | rules.is_authenticated)
rules.add_perm(
    "callcenter.view_contact", is_counsellor | is_monitor | is_administrator | is_caller | is_officer_of_transfer
)
rules.add_perm("callcenter.list_contacts", is_counsellor | is_monitor | is_administrator)
rules.add_perm("callcenter.change_contact", is_counsellor & is_own_open_contact)
rules.add_perm("callcenter.correct_contact", is_counsellor)
rules.add_perm("callcenter.handle_contact", is_counsellor)
rules.add_perm("callcenter.answer_survey", is_caller)
rules.add_perm("callcenter.view_statistics", is_counsellor | is_monitor | is_administrator)
rules.add_perm("callcenter.view_knowledge_base", is_counsellor | is_monitor | is_administrator)
rules.add_perm("callcenter.suggest_article_edit", is_counsellor)
rules.add_perm("callcenter.manage_knowledge_base", is_lead_counsellor | is_administrator)
