# English dates the way the mission and the commission both read them without a doubt: the month
# in letters, never 11/30/2026 (US order) beside the French 30/11/2026.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d M Y"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATETIME_FORMAT = "d M Y H:i"
MONTH_DAY_FORMAT = "j F"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
# What a form reads: ISO (the date pickers) and the day first, as the French.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %b %Y", "%d %B %Y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
