DECLARE @result INT;
EXEC @result = sp_getapplock @Resource = N'genexp.publish', @LockMode = N'Exclusive',
    @LockOwner = N'Transaction', @LockTimeout = @p1;
SELECT @result;
