def count(n):
    i = 0
    while i < n:
        yield i
        i += 1
print(list(count(4)), sum(count(101)), [x * 2 for x in count(3)])
g = count(2)
print(next(g), next(g), next(g, 'done'))
def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b
out = []
for v in fib():
    if v > 100:
        break
    out.append(v)
print(out)
def echo():
    got = []
    while True:
        x = yield len(got)
        if x is None:
            return
        got.append(x)
e = echo()
print(next(e), e.send('a'), e.send('b'))
def chain(*its):
    for it in its:
        yield from it
print(list(chain([1, 2], 'ab', range(2))))
def with_finally():
    try:
        yield 1
        yield 2
    finally:
        print('cleanup')
print(list(with_finally()))
def inner_try():
    for i in range(3):
        try:
            if i == 1:
                raise ValueError(i)
            yield i
        except ValueError as err:
            yield 'caught %s' % err
print(list(inner_try()))
print(sum(x * x for x in range(10)), max(len(w) for w in ['a', 'abc', 'ab']))
def nested():
    def gen():
        yield from range(3)
    return [v for v in gen()]
print(nested())
