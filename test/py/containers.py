l = [3, 1, 2]
l.append(5)
l.extend([9, 0])
l.insert(0, 7)
print(l, len(l), l[2], l[-1], l[1:3], l[::-1])
l.sort()
print(l, sorted([3, 1, 2], reverse=True), sorted(['bb', 'a', 'ccc'], key=len))
print(l.pop(), l.pop(0), l, l.index(3), l.count(2))
l.remove(3)
l.reverse()
print(l)
l[1:3] = ['x', 'y', 'z']
print(l)
del l[0]
print(l, [1, 2] + [3], [0] * 3)
t = (1, 'a', 2.5)
print(t, t[1], len(t), t + (4,), (1,), (), t.index('a'))
a, b, c = t
print(a, b, c)
first, *rest = [1, 2, 3, 4]
print(first, rest)
d = {'one': 1, 'two': 2}
d['three'] = 3
print(d, len(d), d['two'], d.get('four'), d.get('four', 4), 'one' in d)
print(list(d.keys()), list(d.values()), list(d.items()))
del d['one']
print(d, d.pop('two'), d)
d.update({'x': 10}, y=20)
print(d, d.setdefault('z', 0), d)
print({k: v * 2 for k, v in [('a', 1), ('b', 2)]}, dict(a=1, b=2), dict([(1, 2)]))
s = {1, 2, 3}
s.add(4)
s.discard(1)
print(s, 2 in s, len(s), sorted(s | {9}), s & {2, 3}, s - {2})
print(sorted({x % 3 for x in range(10)}), set(), set([1, 1, 2]))
print(list(range(5)), list(range(2, 10, 3)), list(range(5, 0, -2)), range(3), len(range(0, 10, 3)))
print([x * x for x in range(6) if x % 2], [(i, j) for i in range(2) for j in range(2)])
print(list(enumerate('ab')), list(zip([1, 2, 3], 'abc')), list(map(abs, [-1, -2])), list(filter(None, [0, 1, 2])))
print(any([0, 1]), all([1, 0]), list(reversed([1, 2, 3])), max('abc'), min([3, 1], key=lambda v: -v))
nested = [[1, 2], [3, [4, 5]]]
print(nested, nested[1][1][0])
