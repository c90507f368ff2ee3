def risky(x):
    try:
        y = 1 / x
    except ZeroDivisionError as e:
        print("zero", e)
        y = 0
    except (TypeError, ValueError):
        y = -1
    except:
        raise
    else:
        y += 1
    finally:
        print("done")
    return y

def raiser():
    try:
        raise ValueError("bad")
    except ValueError as err:
        raise RuntimeError("worse") from err

def only_finally():
    try:
        return 1
    finally:
        print("cleanup")

def checks(v):
    assert v, "must be truthy"
    assert v > 0
    return v

risky(0)
