# The English pages are written in British English (og:locale en_GB): dates read "1 March 2030", times on
# the 24-hour clock as in the German pages, which hosts across Europe and beyond read without a.m./p.m.
# Everything not set here comes from Django's own English formats.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
