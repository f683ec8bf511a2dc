# German times read "19:30 Uhr". Everything not set here comes from Django's own German formats.
DATETIME_FORMAT = r"j. F Y, H:i \U\h\r"
TIME_FORMAT = r"H:i \U\h\r"
SHORT_DATETIME_FORMAT = r"d.m.Y, H:i \U\h\r"
