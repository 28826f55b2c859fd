"""Object rules of Eung-Dap-So, built from the kernel predicates."""

import rules

from civicportal.accounts.permissions import (
    has_role,
    is_administrator,
    is_counsellor,
    is_monitor,
    is_officer,
    is_officer_of_object,
    is_supervisor_of_object,
)


@rules.predicate
def is_case_citizen(user, case):
    return case is not None and case.citizen_id is not None and case.citizen_id == getattr(user, "pk", None)


rules.add_perm("complaints.file_case", rules.is_authenticated)
rules.add_perm("complaints.file_case_by_application", has_role("open311_application"))
rules.add_perm("complaints.file_case_for_citizen", is_counsellor | is_officer | is_administrator)
rules.add_perm(
    "complaints.view_case",
    is_case_citizen | is_officer_of_object | is_supervisor_of_object | is_monitor | is_administrator,
)
rules.add_perm("complaints.handle_case", is_officer_of_object | is_supervisor_of_object)
rules.add_perm("complaints.assign_case", is_supervisor_of_object | is_officer_of_object)
rules.add_perm("complaints.rate_case", is_case_citizen)
rules.add_perm("complaints.view_queue", is_officer)
rules.add_perm("complaints.view_board", is_monitor | is_administrator)
