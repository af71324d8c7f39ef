"""Mininet's logging: one logger, "mininet", that adds no newlines.

    from mininet.log import setLogLevel, info, output
    setLogLevel('info')
    info('*** Adding hosts:', 'h1', 'h2', '\\n')    # "*** Adding hosts: h1 h2"

The levels are logging's plus 'output' (25, between info and warning),
the default: a script shows what its commands print, warnings and errors,
and no progress lines until it asks for 'info'. Messages go to the
standard error as given, without a newline added. Several arguments are
joined with spaces (str() of each); one is passed on as is.

Unlike Mininet, importing this module does not make MininetLogger the
class of every logger the program creates later (logging.setLoggerClass):
only "mininet" is one, so other libraries' loggers keep their own
behaviour.
"""
import logging

OUTPUT = 25

LEVELS = {'debug': logging.DEBUG,
          'info': logging.INFO,
          'output': OUTPUT,
          'warning': logging.WARNING,
          'warn': logging.WARNING,
          'error': logging.ERROR,
          'critical': logging.CRITICAL}

LOGLEVELDEFAULT = OUTPUT

LOGMSGFORMAT = '%(message)s'

logging.addLevelName(OUTPUT, 'OUTPUT')


class StreamHandlerNoNewline(logging.StreamHandler):
    """A StreamHandler that writes each message as it is, adding no newline."""
    terminator = ''


class Singleton(type):
    """Metaclass: a class with one instance, made on the first call."""

    def __init__(cls, name, bases, dict_):
        super().__init__(name, bases, dict_)
        cls.instance = None

    def __call__(cls, *args, **kw):
        if cls.instance is None:
            cls.instance = super().__call__(*args, **kw)
        return cls.instance


class MininetLogger(logging.Logger):
    """The "mininet" logger: a handler on stderr without newlines, the
    'output' level, and setLogLevel() taking the level's name."""

    def __init__(self, name="mininet"):
        super().__init__(name)
        self.ch = StreamHandlerNoNewline()
        self.ch.setFormatter(logging.Formatter(LOGMSGFORMAT))
        self.addHandler(self.ch)
        self.setLogLevel()

    def setLogLevel(self, levelname=None):
        """Set the logger's and its handler's level by name (a key of
        LEVELS); None: the default, 'output'. An unknown name prints LEVELS
        and raises Exception."""
        if levelname and levelname not in LEVELS:
            print(LEVELS)
            raise Exception('setLogLevel: unknown levelname %s' % levelname)
        level = LEVELS.get(levelname, LOGLEVELDEFAULT)
        self.setLevel(level)
        self.ch.setLevel(level)

    def output(self, msg, *args, **kwargs):
        """Log msg % args at the 'output' level."""
        if getattr(self.manager, 'disabled', 0) >= OUTPUT:
            return
        if self.isEnabledFor(OUTPUT):
            self._log(OUTPUT, msg, args, **kwargs)


def makeListCompatible(fn):
    """fn, callable with several arguments: fn('a', 1, 'b') logs 'a 1 b'.
    One argument is passed to fn as is."""

    def newfn(*args):
        if len(args) == 1:
            return fn(*args)
        return fn(' '.join(str(arg) for arg in args))

    newfn.__name__ = fn.__name__
    newfn.__doc__ = fn.__doc__
    return newfn


def _mininetLogger():
    """The "mininet" logger, a MininetLogger, made without changing the
    class of the program's other loggers."""
    manager = logging.Logger.manager
    found = manager.loggerDict.get("mininet")
    if isinstance(found, MininetLogger):
        return found
    if isinstance(found, logging.Logger):
        # a plain "mininet" logger made before this import: take its place
        logger = MininetLogger("mininet")
        logger.manager, logger.parent = manager, found.parent
        manager.loggerDict["mininet"] = logger
        return logger
    saved = manager.loggerClass
    manager.loggerClass = MininetLogger
    try:
        return logging.getLogger("mininet")
    finally:
        manager.loggerClass = saved


lg = _mininetLogger()
_loggers = tuple(makeListCompatible(f) for f in
                 (lg.info, lg.output, lg.warning, lg.error, lg.debug))
lg.info, lg.output, lg.warning, lg.error, lg.debug = _loggers
info, output, warning, error, debug = _loggers
warn = warning
setLogLevel = lg.setLogLevel
