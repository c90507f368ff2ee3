def plain():
    try:
        raise ExceptionGroup("eg", [ValueError(1), TypeError(2)])
    except* ValueError as e:
        print("value", e)
    except* TypeError:
        print("type")


def with_else_finally(x):
    try:
        f(x)
    except* (KeyError, IndexError) as e:
        print(e.exceptions)
    except* OSError:
        raise
    else:
        print("else")
    finally:
        print("finally")


def in_loop(items):
    for it in items:
        try:
            it()
        except* Exception:
            for y in it:
                if y:
                    break
                continue
            def inner():
                return 1
    return items


class K:
    try:
        pass
    except* ValueError as v:
        w = v


try:
    plain()
except* BaseException as every:
    del every
