"""The staff desk's pages (issue 9): desktop, server-rendered. A module per part: guides, teams and
assignments (`people`), who no one has visited and coverage (`coverage`), Party-organisation
building (`building`) and evaluation (`evaluation`). Routes in guides/urls_staff.py."""
