# Asynchronous constructs: coroutines, async generators, async for / with, await in
# every position, async comprehensions and generator expressions.
import sys


async def simple(x):
    return await x


async def nested_awaits(a, b):
    y = await a + await b
    return (await a)(await b, key=await a)


async def loop(items):
    total = 0
    async for i in items:
        if i < 0:
            break
        if i == 0:
            continue
        total += i
    else:
        total = -1
    return total


async def loop_targets(items):
    async for a, (b, *c) in items:
        print(a, b, c)
    async for x in [1, 2]:
        pass


async def with_one(cm):
    async with cm as v:
        print(v)
    async with cm:
        pass


async def with_many(a, b):
    async with a as x, b as y:
        return x + y


async def with_break(cms):
    for cm in cms:
        async with cm:
            break
    while True:
        async with cms[0]:
            continue


async def with_return_in_try(cm):
    try:
        async with cm:
            return await cm.value()
    finally:
        print("done")


async def agen(n):
    for i in range(n):
        yield i
        x = yield
        await sleep(x)
    yield await other()


async def agen_return():
    yield 1
    return


async def comprehensions(aiter, xs):
    a = [x async for x in aiter]
    b = {x async for x in aiter if x}
    c = {x: y async for x, y in aiter}
    d = [await x for x in xs]
    e = [x async for x in aiter async for y in aiter]
    f = [x for x in xs async for y in aiter if await y]
    g = (x async for x in aiter)
    h = (await x for x in xs)
    return a, b, c, d, e, f, g, h


def sync_genexps(xs):
    a = (await x for x in xs)
    b = (x async for x in xs)
    return a, b


async def inner_functions():
    def plain():
        return 1

    async def inner():
        return await plain()

    class K:
        async def method(self):
            return await super().method()

    return lambda: inner


async def exceptions(x):
    try:
        await x
    except ValueError as e:
        await e
    except TypeError:
        pass


async def deep(x):
    async with x:
        async for y in x:
            async with y as z:
                try:
                    await z
                finally:
                    await y
    return [[w async for w in v] async for v in x]


@decorator
async def decorated(*args, **kwargs):
    """A docstring."""
    await args[0]
