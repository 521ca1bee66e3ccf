"""Notifications: in the site (a count in the header, a list) and by mail, each kind switchable in the profile.

Use it through ``academy.notifications.api``:

1. Register the kind in your app's ``AppConfig.ready()``::

       register_kind(NotificationKind(
           key="community.reply", label=_("Une réponse à ma discussion"),
           title=lambda d: _("%(name)s a répondu à « %(topic)s »") % d,
       ))

2. Call ``notify(recipient=user, kind="community.reply", data={...}, url=path)`` in the service where the thing
   happens (inside its transaction: the mail leaves once it commits, from a worker, in the recipient's language).
"""
