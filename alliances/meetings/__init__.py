"""Meetings of an alliance, a sub-domain of the app (like one of pretix's plugins): the models live
with the app's others in `alliances.models` (module `alliances.models.meetings`); this package
holds their writes, reads and access rules.

- `services`: every write (`meeting_schedule`, `meeting_move`, `meeting_cancel`,
  `invitation_answer`, `attendance_record`, `meeting_minutes_file`, `decision_add`,
  `decision_update_status`, `meeting_attach`).
- `selectors`: every read more than a `get` (calendar month, region list, my meetings, detail).
- `permissions`: one access helper per model (`meeting_get_for_user`, `invitation_get_for_user`,
  `decision_get_for_user`, `attachment_get_for_user`): 404 when the user may not see it, 403 when
  they may see it but not do the action.

Nothing here imports `demands` or `guides`.
"""
