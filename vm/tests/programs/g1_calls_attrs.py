import os
import os.path
import os.path as osp
from os import path, sep as separator

class Box:
    pass

def calls(obj, items):
    obj.value = 1
    obj.value += 2
    del obj.value
    items.append(3)
    items.sort(key=len, reverse=True)
    n = len(items)
    r = os.path.join("a", "b")
    m = max(1, 2, default=0)
    s = "x".join(["a", "b"])
    return n, r, m, s, obj.attr.chain

print(osp.sep, path, separator)
